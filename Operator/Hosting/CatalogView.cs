using AgentLens.Operator.Api;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// The catalog feed as the reader APIs see it (<see cref="ICatalogView"/>). Catalog may not name Api (it is
/// earlier on the data path), so the wiring that knows both hands one to the other here, delegating only.
/// </summary>
internal sealed class CatalogView(CatalogFeed feed) : ICatalogView
{
    public Task<bool> WaitSyncedAsync(CancellationToken cancellationToken) => feed.WaitSyncedAsync(cancellationToken);

    public (long Version, IReadOnlyList<StoredEntry> Items) Snapshot() => feed.Snapshot();

    public StoredEntry? Get(string name) => feed.Get(name);

    public Subscription Subscribe(long? from) => feed.Subscribe(from);

    public long VersionOf(StoredEntry entry) => feed.VersionOf(entry);
}
