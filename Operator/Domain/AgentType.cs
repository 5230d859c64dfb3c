using System.Text.Json.Serialization;

namespace AgentLens.Operator.Domain;

/// <summary>
/// One catalog entry, shaped like a Kubernetes object so that it reads naturally next to the ConfigMap that
/// stores it. The spec says where the agent is and who found it; the status says what its card told us.
/// </summary>
internal sealed record AgentType
{
    public const string CurrentApiVersion = "agentlens.io/v1alpha1";
    public const string TypeKind = "AgentType";

    public string ApiVersion { get; init; } = CurrentApiVersion;
    public string Kind { get; init; } = TypeKind;
    public required AgentMetadata Metadata { get; init; }
    public required AgentSpec Spec { get; init; }
    public AgentStatus Status { get; init; } = new();
}

internal sealed record AgentMetadata
{
    public required string Name { get; init; }
    public string? Namespace { get; init; }
}

internal sealed record AgentSpec
{
    public required Protocol Protocol { get; init; }

    /// <summary>The normalized endpoint; the entry's identity (see <see cref="AgentEndpoint"/>).</summary>
    public required string Endpoint { get; init; }

    public string? CardUrl { get; init; }
    public required SourceRef Source { get; init; }
    public string? Team { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];

    public bool Equals(AgentSpec? other) =>
        other is not null && Protocol == other.Protocol && Endpoint == other.Endpoint && CardUrl == other.CardUrl
        && Source == other.Source && Team == other.Team && Tags.SequenceEqual(other.Tags);

    public override int GetHashCode() => HashCode.Combine(Protocol, Endpoint, CardUrl, Source, Team);
}

internal sealed record SourceRef
{
    public required SourceType Type { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
}

internal sealed record AgentStatus
{
    public Lifecycle Lifecycle { get; init; } = Lifecycle.Registered;
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public string? Version { get; init; }
    public string? ProtocolVersion { get; init; }
    public Provider? Provider { get; init; }

    /// <summary>MCP: the card's own <c>name</c> (a registry <c>server.json</c>'s reverse-DNS name), apart from its title.</summary>
    public string? RegistryName { get; init; }

    /// <summary>An http(s) URL about the agent: an MCP card's <c>websiteUrl</c>, an A2A card's <c>documentationUrl</c>.</summary>
    public string? WebsiteUrl { get; init; }

    public ImmutableArray<Icon> Icons { get; init; } = [];
    public ImmutableArray<Capability> Capabilities { get; init; } = [];
    public ImmutableArray<Condition> Conditions { get; init; } = [];
    public int ConsecutiveFailures { get; init; }
    public string? LastError { get; init; }
    public string? CardDigest { get; init; }
    public string? CardEtag { get; init; }

    /// <summary>The digest of the card's whole capability set; a change means some definition changed.</summary>
    public string? CapabilitiesDigest { get; init; }

    /// <summary>
    /// When the capability set as it stands was first observed: it moves only when <see cref="CapabilitiesDigest"/>
    /// does (or the set first becomes known), so re-checking an unchanged list never costs a write. Null: the
    /// capabilities were never learned (an MCP server that could not be asked).
    /// </summary>
    public DateTimeOffset? CapabilitiesObservedAt { get; init; }

    /// <summary>When the entry went Offline; drives deletion after the retention period.</summary>
    public DateTimeOffset? OfflineSince { get; init; }

    /// <summary>Who grants access: absent when the agent declares no security and answered without credentials.</summary>
    public AgentAuthorization? Authorization { get; init; }

    /// <summary>The cluster the agent runs in (see <see cref="ClusterIdentity"/>); null when the cluster has no name.</summary>
    public string? Cluster { get; init; }

    public bool Equals(AgentStatus? other) =>
        other is not null && Lifecycle == other.Lifecycle && DisplayName == other.DisplayName
        && Description == other.Description && Version == other.Version && ProtocolVersion == other.ProtocolVersion
        && Provider == other.Provider && RegistryName == other.RegistryName && WebsiteUrl == other.WebsiteUrl
        && (Icons.IsDefault ? [] : Icons).SequenceEqual(other.Icons.IsDefault ? [] : other.Icons) && Capabilities.SequenceEqual(other.Capabilities)
        && Conditions.SequenceEqual(other.Conditions) && ConsecutiveFailures == other.ConsecutiveFailures
        && LastError == other.LastError && CardDigest == other.CardDigest && CardEtag == other.CardEtag
        && CapabilitiesDigest == other.CapabilitiesDigest && CapabilitiesObservedAt == other.CapabilitiesObservedAt && OfflineSince == other.OfflineSince
        && Authorization == other.Authorization && Cluster == other.Cluster;

    public override int GetHashCode() => HashCode.Combine(Lifecycle, DisplayName, CardDigest, ConsecutiveFailures);
}

internal sealed record Provider(string? Organization, string? Url);

/// <summary>
/// A kind-discriminated capability (<c>a2a.skill</c>, <c>mcp.tool</c>, …). Kind-specific details go into
/// <see cref="Properties"/>, sorted by key, so that one shape serves every kind and compares by value.
/// </summary>
internal sealed record Capability
{
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];
    public ImmutableSortedDictionary<string, string> Properties { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Over what defines the capability (<see cref="CapabilityDigest"/>), schemas included where the entry omits them.</summary>
    public string? Digest { get; init; }

    /// <summary>
    /// Where it was learned (<see cref="CapabilitySources"/>): declared by a card, or collected from the live
    /// server. Not part of <see cref="Digest"/>: the same tool learned another way is not redefined.
    /// </summary>
    public string? Source { get; init; }

    public bool Equals(Capability? other) =>
        other is not null && Kind == other.Kind && Name == other.Name && Description == other.Description
        && Tags.SequenceEqual(other.Tags) && Properties.SequenceEqual(other.Properties) && Digest == other.Digest && Source == other.Source;

    public override int GetHashCode() => HashCode.Combine(Kind, Name);
}

internal static class CapabilityKinds
{
    public const string A2aSkill = "a2a.skill";
    public const string A2aInterface = "a2a.interface";
    public const string A2aExtension = "a2a.extension";
    public const string A2aSecurityScheme = "a2a.security_scheme";
    public const string A2aSecurityRequirement = "a2a.security_requirement";
    public const string A2aSignature = "a2a.signature";
    public const string McpTool = "mcp.tool";
    public const string McpResource = "mcp.resource";
    public const string McpPrompt = "mcp.prompt";

    /// <summary>A skill: from an MCP server's <c>skills/list</c> (the Skills extension), or an AI Catalog's agent-skills archive.</summary>
    public const string McpSkill = "mcp.skill";
}

/// <summary>Where a capability was learned.</summary>
internal static class CapabilitySources
{
    /// <summary>Declared: an agent card, a server card, an AI Catalog entry.</summary>
    public const string Card = "card";

    /// <summary>Collected: the live server's own lists (tools/list, skills/list, …).</summary>
    public const string Introspection = "introspection";
}

internal sealed record Condition
{
    public required string Type { get; init; }
    public required ConditionStatus Status { get; init; }
    public required string Reason { get; init; }
    public string? Message { get; init; }
    public required DateTimeOffset LastTransitionTime { get; init; }
}

internal static class Conditions
{
    /// <summary>Sets a condition; its transition time moves only when its status flips (the Kubernetes convention).</summary>
    public static ImmutableArray<Condition> Set(ImmutableArray<Condition> conditions, string type, ConditionStatus status, string reason, string message, DateTimeOffset now)
    {
        // An entry someone wrote by hand may lack the list altogether.
        conditions = conditions.IsDefault ? [] : conditions;
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        var updated = new Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastTransitionTime = existing is not null && existing.Status == status ? existing.LastTransitionTime : now,
        };
        return [.. conditions.Where(c => c.Type != type).Append(updated).OrderBy(c => c.Type, StringComparer.Ordinal)];
    }
}

internal static class ConditionTypes
{
    public const string CardFetched = "CardFetched";
    public const string CardValid = "CardValid";
    public const string Discovered = "Discovered";
    public const string Truncated = "Truncated";
    public const string LeaseHeld = "LeaseHeld";
    public const string CapabilitiesListed = "CapabilitiesListed";
    public const string SignatureVerified = "SignatureVerified";

    /// <summary>On a hub's federated entries: whether the member cluster they come from answers.</summary>
    public const string ClusterReachable = "ClusterReachable";
}

[JsonConverter(typeof(JsonStringEnumConverter<ConditionStatus>))]
internal enum ConditionStatus
{
    True,
    False,
    Unknown,
}

[JsonConverter(typeof(JsonStringEnumConverter<Protocol>))]
internal enum Protocol
{
    [JsonStringEnumMemberName("a2a")] A2a,
    [JsonStringEnumMemberName("mcp")] Mcp,
    [JsonStringEnumMemberName("a2ui")] A2ui,
}

[JsonConverter(typeof(JsonStringEnumConverter<SourceType>))]
internal enum SourceType
{
    [JsonStringEnumMemberName("kubernetes")] Kubernetes,
    [JsonStringEnumMemberName("static")] Static,
    [JsonStringEnumMemberName("push")] Push,
}

[JsonConverter(typeof(JsonStringEnumConverter<Lifecycle>))]
internal enum Lifecycle
{
    Registered,
    Active,
    Degraded,
    Offline,
}

internal static class ProtocolNames
{
    public static string ToWire(this Protocol protocol) => protocol switch
    {
        Protocol.A2a => "a2a",
        Protocol.Mcp => "mcp",
        Protocol.A2ui => "a2ui",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static bool TryParse(string? value, out Protocol protocol)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "a2a": protocol = Protocol.A2a; return true;
            case "mcp": protocol = Protocol.Mcp; return true;
            case "a2ui": protocol = Protocol.A2ui; return true;
            default: protocol = default; return false;
        }
    }

    public static string ToWire(this SourceType type) => type switch
    {
        SourceType.Kubernetes => "kubernetes",
        SourceType.Static => "static",
        SourceType.Push => "push",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
