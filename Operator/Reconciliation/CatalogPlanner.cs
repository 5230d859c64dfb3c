using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>What a change means to people watching the catalog; each becomes an Event.</summary>
internal enum Transition
{
    None,
    Discovered,
    Updated,
    Degraded,
    Offline,
    Recovered,
    Deleted,
    CardInvalid,
    IntrospectionFailed,
}

internal abstract record PlannedChange(string Endpoint, Transition Transition);

internal sealed record CreateEntry(string Endpoint, string Name, AgentType Entry, ReadOnlyMemory<byte>? RawCard, Transition Transition) : PlannedChange(Endpoint, Transition);

internal sealed record UpdateEntry(string Endpoint, StoredEntry Existing, AgentType Entry, ReadOnlyMemory<byte>? RawCard, Transition Transition) : PlannedChange(Endpoint, Transition)
{
    /// <summary>Capabilities added, removed or redefined by this update; reported as a CapabilitiesChanged Event.</summary>
    public CapabilityDrift? Drift { get; init; }

    /// <summary>The card's signature verified before and does not now (content changed, key rotated out); a Warning Event.</summary>
    public Condition? SignatureLost { get; init; }
}

internal sealed record DeleteEntry(string Endpoint, StoredEntry Existing, string Reason) : PlannedChange(Endpoint, Transition.Deleted);

/// <summary>
/// Decides, for one endpoint at a time, what its entry should become — a pure function of what is stored,
/// what its source said, what the crawl found and the time, so every rule is unit-tested without I/O:
/// <list type="bullet">
/// <item>a good card makes the entry Active (from Registered, Degraded or Offline alike);</item>
/// <item>a failed crawl keeps the last good capabilities, counts the failure, and after
/// <c>offlineAfterFailures</c> consecutive failures makes the entry Offline;</item>
/// <item>an entry whose source succeeded without listing it goes Offline (NotDiscovered), and is deleted
/// once Offline for longer than <c>retention</c>; an entry whose source failed is left exactly as it is;</item>
/// <item>an agent the crawl deferred (the cycle's budget ran out) is left exactly as it is;</item>
/// <item>every capability carries a digest over what defines it, the entry a digest of the set; an update
/// that adds, removes or redefines capabilities carries that <see cref="CapabilityDrift"/>;</item>
/// <item>an entry stays within <see cref="EntryLimits"/> (capped texts and capabilities, condition
/// <c>Truncated</c>), so the API server never refuses it for its size;</item>
/// <item>an A2A card's signature check becomes condition <c>SignatureVerified</c> (and label
/// <c>agentlens.io/signed</c>); an unchanged card (304) keeps the last verdict; a verdict that stops being
/// True is carried as <see cref="UpdateEntry.SignatureLost"/>;</item>
/// <item>an MCP server that answered and refused introspection (401, 403 insufficient_scope) is Active, with
/// <c>status.authorization</c> and <c>CapabilitiesListed=False</c> reason <c>AuthorizationRequired</c> — not an
/// <c>IntrospectionFailed</c> transition, so no Warning Event;</item>
/// <item>every entry carries this cluster's name (<c>status.cluster</c>, label <c>agentlens.io/cluster</c>), when it has one;</item>
/// <item>nothing is written when the desired bytes and labels equal the stored ones.</item>
/// </list>
/// </summary>
internal sealed class CatalogPlanner(int offlineAfterFailures, TimeSpan retention, string storeNamespace, string? cluster = null)
{
    /// <summary>The reason of <c>CapabilitiesListed=False</c> for a server that answered and wants a token.</summary>
    public const string AuthorizationRequired = "AuthorizationRequired";

    public PlannedChange? Plan(StoredEntry? existing, DiscoveredAgent? desired, CrawlOutcome? crawl, bool sourceFailed, DateTimeOffset now)
    {
        now = CatalogJson.Truncate(now);
        if (crawl is CrawlDeferred)
        {
            return null;
        }

        if (desired is not null && crawl is not null)
        {
            return PlanDiscovered(existing, desired, crawl, now);
        }

        if (existing?.Entry is not { } entry || sourceFailed)
        {
            return null;
        }

        return PlanNotDiscovered(existing, entry, now);
    }

    private PlannedChange? PlanDiscovered(StoredEntry? existing, DiscoveredAgent desired, CrawlOutcome crawl, DateTimeOffset now)
    {
        var previous = existing?.Entry?.Status;
        var name = existing?.Name ?? CatalogNames.ForEntry(desired.Protocol, desired.Endpoint, desired.Source);
        var spec = new AgentSpec
        {
            Protocol = desired.Protocol,
            Endpoint = desired.Endpoint,
            CardUrl = crawl is CardFetched fetched ? fetched.CardUrl : existing?.Entry?.Spec.CardUrl ?? desired.CardUrls.FirstOrDefault(),
            Source = desired.Source,
            Team = desired.Team,
            Tags = desired.Tags,
        };
        var status = (crawl switch
        {
            CardFetched card when desired.Protocol == Protocol.Mcp => WithCapabilitiesListed(Fetched(previous, card, now), card, now),
            CardFetched { Signature: { } verdict } card => WithSignature(Fetched(previous, card, now), verdict, now),
            CardFetched card => Fetched(previous, card, now),
            CardUnchanged when previous is not null => Good(previous, now),
            CrawlFailed failed => Failed(previous, failed.Failure, now),
            _ => Failed(previous, new CrawlFailure(CrawlFailureReason.Configuration, "the server answered 304 but nothing was fetched before"), now),
        }) with
        { Cluster = cluster };
        var cardCapabilities = crawl is CardFetched counted ? counted.Card.Capabilities.Length : status.Capabilities.Length;
        var entry = EntryLimits.FitSize(new AgentType { Metadata = new AgentMetadata { Name = name, Namespace = storeNamespace }, Spec = spec, Status = status }, cardCapabilities, now);
        var raw = crawl is CardFetched c ? c.Raw : (ReadOnlyMemory<byte>?)null;
        if (existing is null)
        {
            var transition = TransitionOf(null, status) == Transition.IntrospectionFailed ? Transition.IntrospectionFailed : Transition.Discovered;
            return new CreateEntry(desired.Endpoint, name, entry, raw, transition);
        }

        if (Unchanged(existing, entry))
        {
            return null;
        }

        var drift = crawl is CardFetched && previous?.CapabilitiesDigest is { } before && before != entry.Status.CapabilitiesDigest
            ? CapabilityDrift.Between(previous.Capabilities, entry.Status.Capabilities)
            : null;
        var lost = Verified(previous) && !Verified(entry.Status) ? entry.Status.Conditions.First(c => c.Type == ConditionTypes.SignatureVerified) : null;
        return new UpdateEntry(desired.Endpoint, existing, entry, raw, TransitionOf(previous, status)) { Drift = drift is { IsEmpty: false } ? drift : null, SignatureLost = lost };
    }

    private PlannedChange? PlanNotDiscovered(StoredEntry existing, AgentType entry, DateTimeOffset now)
    {
        var status = entry.Status;
        if (status.Lifecycle == Lifecycle.Offline && status.OfflineSince is { } since && now - since >= retention)
        {
            return new DeleteEntry(existing.Endpoint!, existing, $"Offline since {since:u}, longer than the retention of {Duration.Format(retention)}");
        }

        var offline = status with
        {
            Cluster = cluster,
            Lifecycle = Lifecycle.Offline,
            OfflineSince = status.OfflineSince ?? now,
            Conditions = SetCondition(status.Conditions, ConditionTypes.Discovered, ConditionStatus.False, "NotDiscovered",
                $"the {entry.Spec.Source.Type.ToWire()} source no longer lists this agent", now),
        };
        var updated = entry with { Metadata = entry.Metadata with { Namespace = storeNamespace, Name = existing.Name }, Status = offline };
        return Unchanged(existing, updated) ? null : new UpdateEntry(existing.Endpoint!, existing, updated, null, TransitionOf(status, offline));
    }

    private static AgentStatus Fetched(AgentStatus? previous, CardFetched fetched, DateTimeOffset now)
    {
        var card = fetched.Card;
        var capabilities = card.Capabilities.Select(c => CapabilityDigest.Ensure(c) with { Source = c.Source ?? CapabilitySources.Card }).ToImmutableArray();
        var digest = CapabilityDigest.OfSet(capabilities);
        return EntryLimits.Bound(Good(previous ?? new AgentStatus(), now) with
        {
            DisplayName = card.DisplayName,
            Description = card.Description,
            Version = card.Version,
            ProtocolVersion = card.ProtocolVersion,
            Provider = card.Provider,
            RegistryName = card.RegistryName,
            WebsiteUrl = card.WebsiteUrl,
            Icons = card.Icons,
            Capabilities = capabilities,
            CapabilitiesDigest = digest,
            // When this set was first seen: a re-check that finds the same set must not cost a write.
            CapabilitiesObservedAt = previous is { CapabilitiesObservedAt: { } seen } && previous.CapabilitiesDigest == digest ? seen : now,
            CardDigest = fetched.Digest,
            CardEtag = EntryLimits.Cap(fetched.ETag, EntryLimits.MaxNameChars),
            Authorization = card.Authorization,
        }, card.Capabilities.Length, now);
    }

    /// <summary>
    /// MCP: whether the entry's tools are known. A card without tools whose server could not be introspected
    /// says so (<c>CapabilitiesListed=False</c>, reason <c>IntrospectionFailed</c>): an Active MCP entry with no
    /// tools is never left unexplained.
    /// </summary>
    private static AgentStatus WithCapabilitiesListed(AgentStatus status, CardFetched fetched, DateTimeOffset now)
    {
        var tools = status.Capabilities.Count(c => c.Kind == CapabilityKinds.McpTool);
        var conditions = fetched.IntrospectionFailure is { Reason: CrawlFailureReason.AuthorizationRequired } refusal && tools == 0
            ? SetCondition(status.Conditions, ConditionTypes.CapabilitiesListed, ConditionStatus.False, AuthorizationRequired,
                EntryLimits.Cap($"{AuthorizationSummary(status.Authorization)} ({refusal.Message})", EntryLimits.MaxMessageChars)!, now)
            : fetched.IntrospectionFailure is { } failure && tools == 0
            ? SetCondition(status.Conditions, ConditionTypes.CapabilitiesListed, ConditionStatus.False, "IntrospectionFailed",
                EntryLimits.Cap(failure.ToString(), EntryLimits.MaxMessageChars)!, now)
            : SetCondition(status.Conditions, ConditionTypes.CapabilitiesListed, ConditionStatus.True, tools > 0 ? "Listed" : "NoTools",
                tools > 0 ? $"{tools} tools are known" : "the server lists no tools", now);
        // No tools and a server that could not be asked: the capabilities are not known, which is not "none".
        return status with { Conditions = conditions, CapabilitiesObservedAt = fetched.IntrospectionFailure is not null && status.Capabilities.IsEmpty ? null : status.CapabilitiesObservedAt };
    }

    /// <summary>Who grants access, in words: the authorization servers and scopes, or why they are not known.</summary>
    internal static string AuthorizationSummary(AgentAuthorization? authorization)
    {
        if (authorization is null)
        {
            return "the server requires authorization";
        }

        var scopes = !authorization.ScopesRequired.IsDefaultOrEmpty ? $"; scopes required: {string.Join(' ', authorization.ScopesRequired)}"
            : !authorization.ScopesSupported.IsDefaultOrEmpty ? $"; scopes supported: {string.Join(' ', authorization.ScopesSupported)}"
            : string.Empty;
        var refused = authorization.Error switch
        {
            "insufficient_scope" => "the token's scope is not enough: ",
            "invalid_token" when authorization.CredentialsSent => "the credentials were refused: ",
            _ => string.Empty,
        };
        return authorization.AuthorizationServers.IsDefaultOrEmpty
            ? $"{refused}the server requires authorization; {authorization.MetadataProblem ?? "it names no authorization server"}{scopes}"
            : $"{refused}the server requires a token from {string.Join(", ", authorization.AuthorizationServers)}{scopes}";
    }

    private static AgentStatus WithSignature(AgentStatus status, SignatureVerdict verdict, DateTimeOffset now) => status with
    {
        Conditions = SetCondition(status.Conditions, ConditionTypes.SignatureVerified, verdict.Status, verdict.Reason, EntryLimits.Cap(verdict.Message, EntryLimits.MaxMessageChars)!, now),
    };

    private static bool Verified(AgentStatus? status) =>
        status is { Conditions.IsDefault: false } && status.Conditions.Any(c => c is { Type: ConditionTypes.SignatureVerified, Status: ConditionStatus.True });

    private static AgentStatus Good(AgentStatus previous, DateTimeOffset now)
    {
        var conditions = SetCondition(previous.Conditions, ConditionTypes.CardFetched, ConditionStatus.True, "Fetched", "the card was fetched", now);
        conditions = SetCondition(conditions, ConditionTypes.CardValid, ConditionStatus.True, "Valid", "the card was understood", now);
        conditions = SetCondition(conditions, ConditionTypes.Discovered, ConditionStatus.True, "Discovered", "a source lists this agent", now);
        return previous with
        {
            Lifecycle = Lifecycle.Active,
            Conditions = conditions,
            ConsecutiveFailures = 0,
            LastError = null,
            OfflineSince = null,
        };
    }

    private AgentStatus Failed(AgentStatus? previous, CrawlFailure failure, DateTimeOffset now)
    {
        previous ??= new AgentStatus();
        // Counting stops at the threshold: an agent that stays dead must not cost a write every cycle.
        var failures = Math.Min(previous.ConsecutiveFailures + 1, offlineAfterFailures);
        failure = failure with { Message = EntryLimits.Cap(failure.Message, EntryLimits.MaxMessageChars)! };
        var invalid = failure.Reason is CrawlFailureReason.InvalidJson or CrawlFailureReason.InvalidCard or CrawlFailureReason.ContentType;
        var conditions = invalid
            ? SetCondition(SetCondition(previous.Conditions, ConditionTypes.CardFetched, ConditionStatus.True, "Fetched", "the card was fetched", now),
                ConditionTypes.CardValid, ConditionStatus.False, failure.Reason.ToString(), failure.Message, now)
            : SetCondition(previous.Conditions, ConditionTypes.CardFetched, ConditionStatus.False, failure.Reason.ToString(), failure.Message, now);
        conditions = SetCondition(conditions, ConditionTypes.Discovered, ConditionStatus.True, "Discovered", "a source lists this agent", now);
        var lifecycle = failures >= offlineAfterFailures ? Lifecycle.Offline
            : previous.CardDigest is not null ? Lifecycle.Degraded
            : Lifecycle.Registered;
        return previous with
        {
            Lifecycle = lifecycle,
            Conditions = conditions,
            ConsecutiveFailures = failures,
            LastError = failure.ToString(),
            OfflineSince = lifecycle == Lifecycle.Offline ? previous.OfflineSince ?? now : null,
        };
    }

    internal static ImmutableArray<Condition> SetCondition(ImmutableArray<Condition> conditions, string type, ConditionStatus status, string reason, string message, DateTimeOffset now) =>
        Conditions.Set(conditions, type, status, reason, message, now);

    private static bool Unchanged(StoredEntry existing, AgentType desired) =>
        existing.Utf8Json is { } stored && stored.AsSpan().SequenceEqual(CatalogJson.Serialize(desired))
        && CatalogNames.Labels(desired).All(l => existing.Labels.TryGetValue(l.Key, out var v) && v == l.Value)
        && existing.Labels.Keys.Where(CatalogNames.OwnedLabels.Contains).All(CatalogNames.Labels(desired).ContainsKey)
        && existing.AnnotatedEndpoint == desired.Spec.Endpoint;

    private static Transition TransitionOf(AgentStatus? before, AgentStatus after)
    {
        if (after.Conditions.Any(c => c is { Type: ConditionTypes.CardValid, Status: ConditionStatus.False })
            && before?.Conditions.Any(c => c is { Type: ConditionTypes.CardValid, Status: ConditionStatus.False }) != true)
        {
            return Transition.CardInvalid;
        }

        // A protected server is not a failure: it answered, and the entry says who grants access. No Warning.
        if (after.Conditions.Any(c => c is { Type: ConditionTypes.CapabilitiesListed, Status: ConditionStatus.False } && c.Reason != AuthorizationRequired)
            && before?.Conditions.Any(c => c is { Type: ConditionTypes.CapabilitiesListed, Status: ConditionStatus.False } && c.Reason != AuthorizationRequired) != true)
        {
            return Transition.IntrospectionFailed;
        }

        return (before?.Lifecycle, after.Lifecycle) switch
        {
            (var b, Lifecycle.Offline) when b != Lifecycle.Offline => Transition.Offline,
            (var b, Lifecycle.Degraded) when b != Lifecycle.Degraded => Transition.Degraded,
            (Lifecycle.Degraded or Lifecycle.Offline or Lifecycle.Registered, Lifecycle.Active) => Transition.Recovered,
            (_, Lifecycle.Active) when before?.CardDigest != after.CardDigest => Transition.Updated,
            _ => Transition.None,
        };
    }
}
