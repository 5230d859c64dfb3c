using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// What a cycle tells people, apart from the catalog itself: Events on entries, on announcing Services and on
/// the status object, the log lines that go with them, and the catalog gauge. The reconciler decides; this
/// says so. Events never fail the caller (the recorder swallows and rate-limits).
/// </summary>
internal sealed class CycleReporter(IEventRecorder events, Metrics metrics, string storeNamespace, ILogger logger)
{
    private readonly Dictionary<string, string> reportedPushProblems = new(StringComparer.Ordinal);

    /// <summary>Tells each refused announcement's owner why: a Warning Event on the object itself, a metric, a log line.</summary>
    public async Task ReportRefusedAsync(IEnumerable<IAgentSource> sources, List<LostClaim> lost, CancellationToken cancellationToken)
    {
        foreach (var source in sources)
        {
            foreach (var rejection in source.Rejections)
            {
                await events.RecordAsync(SourceTarget(rejection.Source, rejection.Uid), rejection.Reason, rejection.Message, warning: true, cancellationToken);
            }
        }

        foreach (var claim in lost)
        {
            var loser = claim.Loser;
            var entry = claim.EntryName is null ? string.Empty : $" (entry {claim.EntryName})";
            var message = $"{Describe(loser.Source)} announces {loser.Endpoint}, which belongs to {Describe(claim.Owner)}{entry}; this announcement is ignored";
            Log.DuplicateAgent(logger, Describe(loser.Source), loser.Endpoint, Describe(claim.Owner));
            metrics.DuplicateAgent(loser.Source.Type);
            await events.RecordAsync(SourceTarget(loser.Source, loser.SourceUid), "DuplicateAgent", message, warning: true, cancellationToken);
        }
    }

    private static string Describe(SourceRef source) => source.Type switch
    {
        SourceType.Kubernetes => $"Service {source.Namespace}/{source.Name}",
        SourceType.Static => $"static source '{source.Name}'",
        _ => $"{source.Type.ToWire()} '{source.Name}'",
    };

    /// <summary>Where an Event about a source object goes: the Service itself, else the operator's status object.</summary>
    private EventTarget SourceTarget(SourceRef source, string? uid) => source is { Type: SourceType.Kubernetes, Namespace: { } ns }
        ? new EventTarget("Service", ns, source.Name, uid, null)
        : StatusTarget;

    public EventTarget StatusTarget => new("ConfigMap", storeNamespace, CatalogNames.StatusConfigMap, null, null);

    public async Task ReportPushProblemsAsync(IReadOnlyList<StoredEntry> stored, CancellationToken cancellationToken)
    {
        foreach (var entry in stored.Where(e => e.IsPush))
        {
            if (entry.Problem is null)
            {
                reportedPushProblems.Remove(entry.Name);
                continue;
            }

            // Once per version of the entry: the author fixes it by applying it again.
            if (reportedPushProblems.TryGetValue(entry.Name, out var version) && version == entry.ResourceVersion)
            {
                continue;
            }

            reportedPushProblems[entry.Name] = entry.ResourceVersion;
            Log.PushEntryInvalid(logger, entry.Name, entry.Problem);
            metrics.PushEntryInvalid(entry.Problem.StartsWith('\'') ? "InvalidJson" : "InvalidEntry");
            await events.RecordAsync(Target(entry), "PushEntryInvalid", entry.Problem, warning: true, cancellationToken);
        }
    }

    /// <summary>A write the API server refused for its content: told on the agent's own object.</summary>
    public Task ReportWriteRefusedAsync(DiscoveredAgent? agent, string message, CancellationToken cancellationToken) =>
        events.RecordAsync(agent is null ? StatusTarget : SourceTarget(agent.Source, agent.SourceUid), "CatalogWriteRefused", message, warning: true, cancellationToken);

    /// <summary>A trust roots file that cannot be read: the last good keys stay in use until it is fixed.</summary>
    public Task ReportTrustRootsInvalidAsync(string problem, CancellationToken cancellationToken) =>
        events.RecordAsync(StatusTarget, "TrustRootsInvalid", $"{problem}; the last good trust roots stay in use", warning: true, cancellationToken);

    /// <summary>Sources that failed, or work from their last good input, told on the operator's status object.</summary>
    public async Task ReportSourcesAsync(IReadOnlyList<SourceStatus> statuses, CancellationToken cancellationToken)
    {
        var statusObject = StatusTarget;
        foreach (var source in statuses)
        {
            if (!source.Succeeded)
            {
                await events.RecordAsync(statusObject, "SourceFailed", $"{source.Name}: {source.Reason}: {source.Message}", warning: true, cancellationToken);
            }
            else if (source.Message is { } problem)
            {
                // The source still works from its last good input; the input itself needs fixing.
                await events.RecordAsync(statusObject, "ConfigInvalid", $"{source.Name}: {problem}", warning: true, cancellationToken);
            }
        }
    }

    /// <summary>A change people should know of, as an Event on the entry (on the status object for a deletion).</summary>
    public async Task AnnounceAsync(PlannedChange change, StoredEntry? written, CancellationToken cancellationToken)
    {
        if (written is null)
        {
            return;
        }

        if (change.Transition == Transition.None)
        {
            if (change is UpdateEntry { SignatureLost: { } quiet })
            {
                await events.RecordAsync(Target(written), "SignatureNotVerified", $"the card's signature no longer verifies: {quiet.Reason}: {quiet.Message}", warning: true, cancellationToken);
            }

            return;
        }

        var entry = change switch
        {
            CreateEntry c => c.Entry,
            UpdateEntry u => u.Entry,
            _ => written.Entry,
        };
        var lifecycle = entry?.Status.Lifecycle.ToString() ?? "gone";
        Log.EntryTransition(logger, change.Transition.ToString(), written.Name, change.Endpoint, lifecycle);
        var message = change switch
        {
            DeleteEntry d => $"Deleted: {d.Reason}",
            _ when entry?.Status.LastError is { } error && change.Transition is Transition.Degraded or Transition.Offline or Transition.CardInvalid => $"{change.Transition}: {error}",
            _ when entry?.Status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Discovered && c.Status == ConditionStatus.False) is { } gone => $"{change.Transition}: {gone.Message}",
            _ when change.Transition == Transition.IntrospectionFailed && entry?.Status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.CapabilitiesListed) is { } unlisted =>
                $"{change.Transition}: the card lists no tools and the server could not be asked: {unlisted.Message}",
            _ => $"{change.Transition}: {entry?.Status.DisplayName ?? change.Endpoint} is {lifecycle} ({entry?.Status.Capabilities.Length ?? 0} capabilities)",
        };
        var warning = change.Transition is Transition.Degraded or Transition.Offline or Transition.CardInvalid or Transition.IntrospectionFailed;
        // A deleted ConfigMap's Events would go with it; they are recorded on the operator's status object.
        var target = change is DeleteEntry ? StatusTarget : Target(written);
        await events.RecordAsync(target, change.Transition.ToString(), message, warning, cancellationToken);
        if (change is UpdateEntry { Drift: { } drift })
        {
            await ReportDriftAsync(target, drift, cancellationToken);
        }

        if (change is UpdateEntry { SignatureLost: { } lost })
        {
            await events.RecordAsync(target, "SignatureNotVerified", $"the card's signature no longer verifies: {lost.Reason}: {lost.Message}", warning: true, cancellationToken);
        }
    }

    /// <summary>Capabilities that changed under the entry: by name, capped; a redefinition or removal is a Warning.</summary>
    private async Task ReportDriftAsync(EventTarget target, CapabilityDrift drift, CancellationToken cancellationToken)
    {
        const int MaxNames = 10;
        static string Names(string what, ImmutableArray<string> names) => names.IsEmpty ? string.Empty
            : $"{what} {names.Length}: {string.Join(", ", names.Take(MaxNames))}{(names.Length > MaxNames ? ", …" : string.Empty)}; ";
        metrics.CapabilityChanges(drift.Added.Length, drift.Removed.Length, drift.Changed.Length);
        var message = (Names("changed", drift.Changed) + Names("added", drift.Added) + Names("removed", drift.Removed)).TrimEnd(' ', ';');
        await events.RecordAsync(target, "CapabilitiesChanged", message, warning: !drift.Changed.IsEmpty || !drift.Removed.IsEmpty, cancellationToken);
    }

    /// <summary>Counts the catalog as this cycle leaves it (push entries included) for the gauge; returns the total.</summary>
    public int RecordCatalogGauge(IReadOnlyList<StoredEntry> stored, List<PlannedChange> changes)
    {
        var final = stored.Where(e => e.Entry is not null).ToDictionary(e => e.Name, e => e.Entry!, StringComparer.Ordinal);
        foreach (var change in changes)
        {
            switch (change)
            {
                case CreateEntry c: final[c.Name] = c.Entry; break;
                case UpdateEntry u: final[u.Existing.Name] = u.Entry; break;
                case DeleteEntry d: final.Remove(d.Existing.Name); break;
            }
        }

        metrics.CatalogEntries(final.Values
            .GroupBy(e => (e.Spec.Protocol, e.Status.Lifecycle, e.Spec.Source.Type))
            .ToDictionary(g => g.Key, g => g.Count()));
        return final.Count;
    }

    private static EventTarget Target(StoredEntry entry) => new("ConfigMap", entry.Namespace, entry.Name, entry.Uid, entry.ResourceVersion);
}
