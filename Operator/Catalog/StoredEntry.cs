using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// One catalog entry as stored. Operator-managed entries carry a parsed <see cref="Entry"/>; a push entry
/// carries whatever its author wrote, parsed if it could be (else <see cref="Problem"/> says why).
/// </summary>
internal sealed record StoredEntry
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public required string ResourceVersion { get; init; }
    public string? Uid { get; init; }
    public required bool IsPush { get; init; }

    /// <summary>The normalized endpoint the entry is for, when it can be told.</summary>
    public string? Endpoint { get; init; }

    public AgentType? Entry { get; init; }

    /// <summary>The stored agenttype.json exactly as stored, to compare with the desired bytes.</summary>
    public string? Json { get; init; }

    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public string? Problem { get; init; }

    /// <summary>The stored object, so an update keeps what others added to its metadata.</summary>
    public V1ConfigMap? Object { get; init; }
}
