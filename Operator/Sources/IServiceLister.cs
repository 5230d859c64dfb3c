namespace AgentLens.Operator.Sources;

/// <summary>One page of a Service list, as the API server paginates it.</summary>
internal sealed record ServicePage(IReadOnlyList<V1Service> Items, string? Continue);

/// <summary>
/// Our own narrow view of the Kubernetes Service API. The client's list calls are extension methods that
/// cannot be mocked; sources depend on this instead and the real implementation is tested against a real
/// API server.
/// </summary>
internal interface IServiceLister
{
    /// <param name="namespace">A namespace, or null for all namespaces.</param>
    Task<ServicePage> ListAsync(string? @namespace, string? labelSelector, int limit, string? continueToken, CancellationToken cancellationToken);

    /// <summary>One Service, or null when it does not exist.</summary>
    Task<V1Service?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);
}

internal sealed class KubernetesServiceLister(IKubernetes client) : IServiceLister
{
    public async Task<ServicePage> ListAsync(string? @namespace, string? labelSelector, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var list = @namespace is null
            ? await client.CoreV1.ListServiceForAllNamespacesAsync(
                continueParameter: continueToken, labelSelector: labelSelector, limit: limit, cancellationToken: cancellationToken)
            : await client.CoreV1.ListNamespacedServiceAsync(
                @namespace, continueParameter: continueToken, labelSelector: labelSelector, limit: limit, cancellationToken: cancellationToken);
        var next = list.Metadata?.ContinueProperty;
        return new ServicePage([.. list.Items ?? []], string.IsNullOrEmpty(next) ? null : next);
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
}
