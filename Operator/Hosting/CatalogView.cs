using AgentLens.Operator.Api;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// The catalog cache as the reader APIs see it (<see cref="ICatalogView"/>). Catalog may not name Api (it is
/// earlier on the data path), so the wiring that knows both hands one to the other here, delegating only.
/// </summary>
internal sealed class CatalogView(CatalogCache cache) : ICatalogView
{
    public Task<bool> WaitSyncedAsync(CancellationToken cancellationToken) => cache.WaitSyncedAsync(cancellationToken);

    public (long Version, IReadOnlyList<StoredEntry> Items) Snapshot() => cache.Snapshot();

    public StoredEntry? Get(string name) => cache.Get(name);

    public Subscription Subscribe(string? lastEventId) => cache.Subscribe(lastEventId);

    public Subscription? SubscribeFrom(long? from) => cache.SubscribeFrom(from);

    public string Id(long version) => cache.Id(version);

    public string ResourceVersion(long version) => cache.ResourceVersion(version);

    public bool TryParseResourceVersion(string? resourceVersion, out long version) => cache.TryParseResourceVersion(resourceVersion, out version);

    public long VersionOf(StoredEntry entry) => cache.VersionOf(entry);
}
