using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>The Secrets that name a hub's members (label <c>agentlens.io/member-cluster=true</c>) in one namespace, for the <see cref="Reflector{T}"/>.</summary>
internal sealed class MemberSecretListWatch(IKubernetes client, string @namespace) : IListWatch<V1Secret>
{
    private static readonly string Selector = $"{Annotations.MemberClusterLabel}=true";

    public string Resource => "secrets";

    public string Scope => $"namespace {@namespace}";

    public Task<ListPage<V1Secret>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken) =>
        KubernetesListWatch.PageAsync(async () =>
        {
            var list = await client.CoreV1.ListNamespacedSecretAsync(@namespace, continueParameter: continueToken, labelSelector: Selector, limit: limit,
                cancellationToken: cancellationToken);
            return (list.Items, list.Metadata);
        });

    public IAsyncEnumerable<WatchEvent<V1Secret>> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        KubernetesListWatch.EventsAsync(onError => client.CoreV1.WatchListNamespacedSecretAsync(@namespace, allowWatchBookmarks: true, labelSelector: Selector,
            resourceVersion: resourceVersion, timeoutSeconds: KubernetesListWatch.WatchSeconds, onError: onError, cancellationToken: cancellationToken), cancellationToken);

    public ObjectKey KeyOf(V1Secret item) => KubernetesListWatch.KeyOf(item);

    public string? VersionOf(V1Secret item) => KubernetesListWatch.VersionOf(item);
}
