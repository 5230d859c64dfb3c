using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Sources;

/// <summary>The Services of one scope (a namespace, or all), through <see cref="IServiceLister"/>, for the <see cref="Reflector{T}"/>.</summary>
internal sealed class ServiceListWatch(IServiceLister lister, string? @namespace, string? labelSelector) : IListWatch<V1Service>
{
    public string Resource => "services";

    public string Scope => @namespace is null ? "all namespaces" : $"namespace {@namespace}";

    public async Task<ListPage<V1Service>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var page = await lister.ListAsync(@namespace, labelSelector, limit, continueToken, cancellationToken);
        return new ListPage<V1Service>(page.Items, page.ResourceVersion, page.Continue);
    }

    public IAsyncEnumerable<WatchEvent<V1Service>> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
        lister.WatchAsync(@namespace, labelSelector, resourceVersion, cancellationToken);

    public ObjectKey KeyOf(V1Service item) => KubernetesListWatch.KeyOf(item);

    public string? VersionOf(V1Service item) => KubernetesListWatch.VersionOf(item);
}
