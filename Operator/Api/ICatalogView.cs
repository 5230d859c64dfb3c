using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// What the reader APIs read of the catalog, and all they read: its current entries and the changes since a
/// version (the wire forms of a version are the APIs' own, in <see cref="WireIds"/>). Catalog implements it
/// (<see cref="CatalogFeed"/>); Hosting wires the two, so an API never sees the concrete feed (as
/// metrics-server's API reads a <c>MetricsGetter</c>).
/// </summary>
internal interface ICatalogView
{
    /// <summary>The 503 answered while <see cref="WaitSyncedAsync"/> says no.</summary>
    public const string NotSyncedMessage = CatalogFeed.NotSyncedMessage;

    /// <summary>Whether the view has synced, waiting a few seconds for it: readers get an answer or a 503, never a hang.</summary>
    Task<bool> WaitSyncedAsync(CancellationToken cancellationToken);

    /// <summary>The current version and its entries, sorted by name; shared by every reader until the next change.</summary>
    (long Version, IReadOnlyList<StoredEntry> Items) Snapshot();

    StoredEntry? Get(string name);

    /// <summary>A watcher from a catalog version (null: a fresh snapshot); a version history no longer reaches gives a fresh snapshot marked too old.</summary>
    Subscription Subscribe(long? from);

    /// <summary>The catalog version at which this entry (as shown) was published.</summary>
    long VersionOf(StoredEntry entry);
}
