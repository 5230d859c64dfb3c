using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Catalog;

/// <summary>The agent Leases of the store namespace (label <c>agentlens.io/agent-lease=true</c>), for the <see cref="Reflector{T}"/>.</summary>
internal sealed class LeaseListWatch(IKubernetes client, StoreNamespace storeNamespace) : IListWatch<V1Lease>
{
    private static readonly string Selector = $"{Annotations.AgentLeaseLabel}=true";

    public string Resource => "leases";

    public string Scope => $"namespace {storeNamespace.Name}";

    public Task<ListPage<V1Lease>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken) =>
        KubernetesListWatch.PageAsync(async () =>
        {
            var list = await client.CoordinationV1.ListNamespacedLeaseAsync(storeNamespace.Name, continueParameter: continueToken, labelSelector: Selector,
                limit: limit, cancellationToken: cancellationToken);
            return (list.Items, list.Metadata);
        });

    public IAsyncEnumerable<WatchEvent<V1Lease>> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubernetesListWatch.EventsAsync(onError => client.CoordinationV1.WatchListNamespacedLeaseAsync(storeNamespace.Name, allowWatchBookmarks: true,
            labelSelector: Selector, resourceVersion: resourceVersion, timeoutSeconds: KubernetesListWatch.WatchSeconds, onError: onError,
            cancellationToken: cancellationToken), cancellationToken);

    public ObjectKey KeyOf(V1Lease item) => KubernetesListWatch.KeyOf(item);

    public string? VersionOf(V1Lease item) => KubernetesListWatch.VersionOf(item);
}
