using System.Collections.Frozen;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// The namespaces of the public view: those matching <see cref="RegistryOptions.PublicNamespaces"/>, listed
/// by the API server with that label selector (one small list, not a watch of every namespace) every
/// <see cref="RegistryOptions.PublicNamespacesRefresh"/>. Until the first list answers, the public view is
/// empty: it fails closed. A failed list keeps the last one (a namespace unlabelled meanwhile is dropped on
/// the next list that succeeds).
/// </summary>
internal sealed class PublicNamespaces(IKubernetes client, RegistryOptions options, TimeProvider time, ILogger<PublicNamespaces> logger) : BackgroundService
{
    private volatile FrozenSet<string> current = FrozenSet<string>.Empty;
    private readonly TaskCompletionSource listed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOn => !string.IsNullOrWhiteSpace(options.PublicNamespaces);

    /// <summary>The public namespaces as last listed (empty before the first list).</summary>
    public IReadOnlySet<string> Current => current;

    /// <summary>Completes once a list has answered (tests and start-up wait on it).</summary>
    public Task Listed => listed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsOn || !options.IsOn)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException or IOException)
            {
                Log.PublicNamespacesFailed(logger, options.PublicNamespaces!, options.PublicNamespacesRefresh.TotalSeconds, e.Message);
            }

            try
            {
                await Task.Delay(options.PublicNamespacesRefresh, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task ListAsync(CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var page = await client.CoreV1.ListNamespaceAsync(labelSelector: options.PublicNamespaces, limit: 500, continueParameter: next, cancellationToken: cancellationToken);
            names.UnionWith(page.Items.Select(n => n.Metadata?.Name).OfType<string>());
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        current = names.ToFrozenSet(StringComparer.Ordinal);
        listed.TrySetResult();
    }
}
