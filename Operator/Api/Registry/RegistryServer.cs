using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// One MCP entry as the registry serves it, already in the spec's limits (see <see cref="RegistryProjection"/>),
/// with its rendered <c>ServerResponse</c> bytes: rendered once per change and served to every reader.
/// </summary>
internal sealed record RegistryServer
{
    /// <summary>The catalog entry's name (its ConfigMap), unique in the catalog.</summary>
    public required string EntryName { get; init; }

    /// <summary>The namespace visibility is decided on (the entry's Service, or the store for push and static entries).</summary>
    public required string Namespace { get; init; }

    public required string Name { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required string Version { get; init; }
    public required string RemoteType { get; init; }
    public required string RemoteUrl { get; init; }
    public string? RepositoryUrl { get; init; }
    public string? RepositorySource { get; init; }
    public string? WebsiteUrl { get; init; }
    public ImmutableArray<Icon> Icons { get; init; } = [];
    public required RegistryStatus Status { get; init; }
    public required Lifecycle Lifecycle { get; init; }
    /// <summary>How many tools the entry lists; null when they are not known (a protected server that could not be asked).</summary>
    public int? ToolCount { get; init; }

    /// <summary>Whether calling the server needs credentials and who grants them; null when it declares no security.</summary>
    public AccessSummary? Authorization { get; init; }
    public string? Signature { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The <c>ServerResponse</c> JSON; set by <see cref="RegistryView"/> once the times are known.</summary>
    public ReadOnlyMemory<byte> Json { get; init; }

    /// <summary>Whether what a client would see differs, times and bytes aside.</summary>
    public bool SameContent(RegistryServer other) =>
        Name == other.Name && Title == other.Title && Description == other.Description && Version == other.Version
        && RemoteType == other.RemoteType && RemoteUrl == other.RemoteUrl && RepositoryUrl == other.RepositoryUrl
        && WebsiteUrl == other.WebsiteUrl && Icons.SequenceEqual(other.Icons)
        && Status == other.Status && Lifecycle == other.Lifecycle && ToolCount == other.ToolCount && Authorization == other.Authorization
        && Signature == other.Signature && Namespace == other.Namespace;
}
