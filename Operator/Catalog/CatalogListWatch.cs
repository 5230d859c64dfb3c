using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Catalog;

/// <summary>The catalog ConfigMaps of the store namespace (label <c>agentlens.io/catalog=entry</c>), for the <see cref="Reflector{T}"/>.</summary>
internal sealed class CatalogListWatch(IKubernetes client, StoreNamespace storeNamespace) : IListWatch<V1ConfigMap>
{
    private static readonly string Selector = $"{Annotations.CatalogLabel}={Annotations.CatalogEntryValue}";

    public string Resource => "configmaps";

    public string Scope => $"namespace {storeNamespace.Name}";

    public Task<ListPage<V1ConfigMap>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken) =>
        KubernetesListWatch.PageAsync(async () =>
        {
            var list = await client.CoreV1.ListNamespacedConfigMapAsync(storeNamespace.Name, continueParameter: continueToken, labelSelector: Selector,
                limit: limit, cancellationToken: cancellationToken);
            return (list.Items, list.Metadata);
        });

    public IAsyncEnumerable<WatchEvent<V1ConfigMap>> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubernetesListWatch.EventsAsync(onError => client.CoreV1.WatchListNamespacedConfigMapAsync(storeNamespace.Name, allowWatchBookmarks: true,
            labelSelector: Selector, resourceVersion: resourceVersion, timeoutSeconds: KubernetesListWatch.WatchSeconds, onError: onError,
            cancellationToken: cancellationToken), cancellationToken);

    public ObjectKey KeyOf(V1ConfigMap item) => KubernetesListWatch.KeyOf(item);

    public string? VersionOf(V1ConfigMap item) => KubernetesListWatch.VersionOf(item);
}
