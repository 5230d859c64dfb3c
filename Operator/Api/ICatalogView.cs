using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// What the reader APIs read of the catalog, and all they read: its current entries, the changes since a
/// version, and the version's two wire forms. Catalog implements it; Hosting wires the two, so an API never
/// sees the concrete cache (as metrics-server's API reads a <c>MetricsGetter</c>).
/// </summary>
internal interface ICatalogView
{
    /// <summary>The 503 answered while <see cref="WaitSyncedAsync"/> says no.</summary>
    public const string NotSyncedMessage = "the catalog cache has not synced with the API server yet";

    /// <summary>Whether the view has synced, waiting a few seconds for it: readers get an answer or a 503, never a hang.</summary>
    Task<bool> WaitSyncedAsync(CancellationToken cancellationToken);

    /// <summary>The current version and its entries, sorted by name; shared by every reader until the next change.</summary>
    (long Version, IReadOnlyList<StoredEntry> Items) Snapshot();

    StoredEntry? Get(string name);

    /// <summary>A watcher from an SSE Last-Event-ID: the changes after it when history reaches it, else a fresh snapshot.</summary>
    Subscription Subscribe(string? lastEventId);

    /// <summary>A watcher from a catalog version (null: a fresh snapshot); null when history no longer reaches it.</summary>
    Subscription? SubscribeFrom(long? from);

    /// <summary>A catalog version as an SSE event id.</summary>
    string Id(long version);

    /// <summary>A catalog version as a Kubernetes resourceVersion.</summary>
    string ResourceVersion(long version);

    /// <summary>The catalog version a resourceVersion names; false for another epoch's or garbage.</summary>
    bool TryParseResourceVersion(string? resourceVersion, out long version);

    /// <summary>The catalog version at which this entry (as shown) was published.</summary>
    long VersionOf(StoredEntry entry);
}
