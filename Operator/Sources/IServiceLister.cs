using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Sources;

/// <summary>One page of a Service list, as the API server paginates it, with the list's resourceVersion (a watch starts there).</summary>
internal sealed record ServicePage(IReadOnlyList<V1Service> Items, string? Continue, string ResourceVersion = "");

/// <summary>
/// Our own narrow view of the Kubernetes Service API. The client's list calls are extension methods that
/// cannot be mocked; sources depend on this instead and the real implementation is tested against a real
/// API server.
/// </summary>
internal interface IServiceLister
{
    /// <param name="namespace">A namespace, or null for all namespaces.</param>
    /// <exception cref="ResourceExpiredException">The continue token has expired (410 Gone).</exception>
    Task<ServicePage> ListAsync(string? @namespace, string? labelSelector, int limit, string? continueToken, CancellationToken cancellationToken);

    /// <summary>One Service, or null when it does not exist.</summary>
    Task<V1Service?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Changes after <paramref name="resourceVersion"/>, bookmarks included, as <see cref="IListWatch{T}.WatchAsync"/> describes.</summary>
    /// <param name="namespace">A namespace, or null for all namespaces.</param>
    IAsyncEnumerable<WatchEvent<V1Service>> WatchAsync(string? @namespace, string? labelSelector, string resourceVersion, CancellationToken cancellationToken);
}

internal sealed class KubernetesServiceLister(IKubernetes client) : IServiceLister
{
    public async Task<ServicePage> ListAsync(string? @namespace, string? labelSelector, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var page = await KubernetesListWatch.PageAsync(async () =>
        {
            var list = @namespace is null
                ? await client.CoreV1.ListServiceForAllNamespacesAsync(
                    continueParameter: continueToken, labelSelector: labelSelector, limit: limit, cancellationToken: cancellationToken)
                : await client.CoreV1.ListNamespacedServiceAsync(
                    @namespace, continueParameter: continueToken, labelSelector: labelSelector, limit: limit, cancellationToken: cancellationToken);
            return (list.Items, list.Metadata);
        });
        return new ServicePage(page.Items, page.Continue, page.ResourceVersion);
    }

    public async Task<V1Service?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedServiceAsync(name, @namespace, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public IAsyncEnumerable<WatchEvent<V1Service>> WatchAsync(string? @namespace, string? labelSelector, string resourceVersion, CancellationToken cancellationToken) =>
        KubernetesListWatch.EventsAsync(onError => @namespace is null
            ? client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: KubernetesListWatch.WatchSeconds, onError: onError, cancellationToken: cancellationToken)
            : client.CoreV1.WatchListNamespacedServiceAsync(@namespace, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: KubernetesListWatch.WatchSeconds, onError: onError, cancellationToken: cancellationToken), cancellationToken);
}
