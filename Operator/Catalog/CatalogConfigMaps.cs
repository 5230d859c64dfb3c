using System.Net;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// What a list/watch of catalog entries tells its consumer: the whole set after each (re)list, then the
/// changes one at a time. The seam the generic list/watch engine will feed instead of this class.
/// </summary>
internal interface IEntrySink
{
    /// <summary>Everything listed: entries not in it are gone (the consumer diffs against what it holds).</summary>
    void Relisted(IReadOnlyCollection<StoredEntry> listed);

    void Apply(StoredEntry entry);

    void Remove(string name);
}

/// <summary>
/// The list + watch of the catalog ConfigMaps (from the list's resourceVersion). Any watch failure (410
/// Gone, a restarted API server) leads to a fresh list, so the consumer sees exactly the changes it missed;
/// a watch that merely times out is resumed from the last version seen.
/// </summary>
internal sealed class CatalogConfigMaps(IKubernetes client, StoreNamespace storeNamespace, TimeProvider time, ILogger<CatalogConfigMaps> logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly string Selector = $"{Annotations.CatalogLabel}={Annotations.CatalogEntryValue}";

    public async Task RunAsync(IEntrySink sink, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await RelistAsync(sink, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    resourceVersion = await WatchAsync(sink, resourceVersion, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.CatalogWatchFailed(logger, e.Message);
                try
                {
                    await Task.Delay(RetryDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<string> RelistAsync(IEntrySink sink, CancellationToken cancellationToken)
    {
        var listed = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync(storeNamespace.Name, labelSelector: Selector, limit: ListPages.Size,
                continueParameter: continueToken, cancellationToken: cancellationToken);
            foreach (var configMap in page.Items)
            {
                listed[configMap.Metadata.Name] = ConfigMapCatalogStore.Read(configMap);
            }

            resourceVersion = page.Metadata.ResourceVersion;
            continueToken = string.IsNullOrEmpty(page.Metadata.ContinueProperty) ? null : page.Metadata.ContinueProperty;
        }
        while (continueToken is not null);

        sink.Relisted(listed.Values);
        return resourceVersion;
    }

    /// <returns>The last resourceVersion seen, to resume from.</returns>
    private async Task<string> WatchAsync(IEntrySink sink, string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var events = client.CoreV1.WatchListNamespacedConfigMapAsync(storeNamespace.Name, allowWatchBookmarks: true, labelSelector: Selector,
            resourceVersion: resourceVersion, timeoutSeconds: 300, onError: e => failure = e, cancellationToken: cancellationToken);
        await foreach (var (type, configMap) in events.WithCancellation(cancellationToken))
        {
            if (configMap?.Metadata?.ResourceVersion is { } rv)
            {
                resourceVersion = rv;
            }

            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    sink.Apply(ConfigMapCatalogStore.Read(configMap!));
                    break;
                case WatchEventType.Deleted:
                    sink.Remove(configMap!.Metadata.Name);
                    break;
                case WatchEventType.Error:
                    throw new HttpOperationException("the watch reported an error (probably 410 Gone)");
            }
        }

        if (failure is not null)
        {
            throw failure is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone }
                ? new InvalidOperationException("the watch's resourceVersion is too old (410 Gone)", failure)
                : failure;
        }

        return resourceVersion;
    }
}
