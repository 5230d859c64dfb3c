using System.Text;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// One catalog entry as stored. Operator-managed entries carry a parsed <see cref="Entry"/>; a push entry
/// carries whatever its author wrote, parsed if it could be (else <see cref="Problem"/> says why). Lean by
/// design: 10,000 of these live in every replica, so it keeps the few metadata fields that readers, filters
/// and the planner use, never the ConfigMap it was read from (an update patches what the operator owns and
/// leaves the rest of the object to the API server).
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

    /// <summary>
    /// The stored agenttype.json exactly as stored, as UTF-8: half the size of the string (about 3 KB an entry
    /// as a string, measured at 2,000 agents). Compared with the desired bytes; parsed from here by readers.
    /// </summary>
    public byte[]? Utf8Json { get; init; }

    /// <summary><see cref="Utf8Json"/> as text: a new string each time, for the rare reader that wants one.</summary>
    public string? Json
    {
        get => Utf8Json is null ? null : Encoding.UTF8.GetString(Utf8Json);
        init => Utf8Json = value is null ? null : Encoding.UTF8.GetBytes(value);
    }

    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public string? Problem { get; init; }

    /// <summary>The endpoint annotation as stored (the planner rewrites an entry whose annotation drifted).</summary>
    public string? AnnotatedEndpoint { get; init; }

    /// <summary>A push entry's Lease annotation as its author wrote it (see <see cref="LeaseLiveness.LeaseName"/>).</summary>
    public string? LeaseAnnotation { get; init; }

    /// <summary>The ConfigMap's creationTimestamp (UTC), for the AgentType's metadata and kubectl's AGE.</summary>
    public DateTime? Created { get; init; }

    /// <summary>On a hub: the member a federated entry comes from (it is in no store of ours); null for the hub's own entries.</summary>
    public Federation.FederatedOrigin? Origin { get; init; }
}
