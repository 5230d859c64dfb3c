using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// What a list/watch of catalog entries tells its consumer: each entry that appeared or changed, each one
/// that went away, and once that the first list is complete.
/// </summary>
internal interface IEntrySink
{
    void Apply(StoredEntry entry);

    void Remove(string name);

    /// <summary>The first list has been told: what the sink holds is the catalog as stored.</summary>
    void Synced();
}

/// <summary>
/// The catalog ConfigMaps, kept by the list/watch engine (<see cref="Reflector{T}"/>): a relist after 410
/// Gone or a broken watch tells the sink exactly the entries that changed or went away meanwhile, so the
/// feed publishes only those.
/// </summary>
internal sealed class CatalogConfigMaps(IListWatch<V1ConfigMap> source, TimeProvider time, Metrics metrics, ILogger<CatalogConfigMaps> logger)
{
    /// <summary>Lists and watches until cancelled; never throws.</summary>
    public Task RunAsync(IEntrySink sink, CancellationToken stoppingToken) =>
        new Reflector<V1ConfigMap>(source, change => Tell(sink, change), time, metrics, logger, sink.Synced).RunAsync(stoppingToken);

    private static void Tell(IEntrySink sink, ListWatchChange<V1ConfigMap> change)
    {
        if (change.Kind == WatchEventKind.Deleted)
        {
            sink.Remove(change.Key.Name);
        }
        else
        {
            sink.Apply(ConfigMapCatalogStore.Read(change.Object!));
        }
    }
}
