using System.Threading.Channels;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Sources;

/// <summary>A Service that was created, changed or deleted, and when the operator heard of it.</summary>
internal sealed record ServiceChange(string Namespace, string Name, DateTimeOffset At);

/// <summary>
/// Watches the Services the Kubernetes source lists (same namespaces, same label selector) and tells of
/// each one that announces an agent — or did until now (an annotation removed, the Service deleted).
/// Endpoints do not matter: agents are crawled by the Service's DNS name. A watch that breaks is resumed
/// from the last resourceVersion, or after <c>410 Gone</c> (or an API server restart) replaced by a fresh
/// list, compared with what was known: every difference is told, so nothing is missed. Retries back off
/// up to 30 s; meanwhile the timer's full cycles still cover everything.
/// </summary>
internal sealed class ServiceWatch(IKubernetes client, SourceOptions options, TimeProvider time, ILogger<ServiceWatch> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly Channel<ServiceChange> changes = Channel.CreateUnbounded<ServiceChange>(new UnboundedChannelOptions { SingleReader = true });

    // The resourceVersion of every Service that announces an agent, by namespace/name.
    private readonly Dictionary<string, string> announced = new(StringComparer.Ordinal);
    private readonly HashSet<string> listed = new(StringComparer.Ordinal);

    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int scopesListed;

    public ChannelReader<ServiceChange> Changes => changes.Reader;

    /// <summary>
    /// Completes when every watched scope has been listed once. A full cycle that starts after it misses
    /// nothing: a change is either in its list or told by the watch.
    /// </summary>
    public Task Synced => synced.Task;

    /// <summary>Watches until cancelled: one watch of all namespaces, or one per configured namespace.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(options.Namespaces.Count == 0
            ? [WatchAsync(null, cancellationToken)]
            : options.Namespaces.Select(ns => WatchAsync(ns, cancellationToken)));

    private async Task WatchAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(@namespace, cancellationToken);
                resourceVersion = await WatchFromAsync(@namespace, resourceVersion, cancellationToken);
                backoff = TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.ServiceWatchFailed(logger, @namespace ?? "all namespaces", e.Message, backoff.TotalSeconds);
                resourceVersion = null;
                try
                {
                    await Task.Delay(backoff, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Lists the Services and tells of every announcing one that changed since the last look.</summary>
    private async Task<string> RelistAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        string? next = null;
        string resourceVersion;
        do
        {
            var page = @namespace is null
                ? await client.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: options.LabelSelector, limit: ListPages.Size, continueParameter: next, cancellationToken: cancellationToken)
                : await client.CoreV1.ListNamespacedServiceAsync(@namespace, labelSelector: options.LabelSelector, limit: ListPages.Size, continueParameter: next, cancellationToken: cancellationToken);
            foreach (var service in page.Items.Where(Announces))
            {
                seen[Key(service)] = service.Metadata.ResourceVersion;
            }

            resourceVersion = page.Metadata.ResourceVersion;
            next = string.IsNullOrEmpty(page.Metadata.ContinueProperty) ? null : page.Metadata.ContinueProperty;
        }
        while (next is not null);

        lock (announced)
        {
            var first = listed.Add(@namespace ?? "*");
            if (first && Interlocked.Increment(ref scopesListed) == Math.Max(1, options.Namespaces.Count))
            {
                synced.TrySetResult();
            }

            var mine = announced.Keys.Where(k => @namespace is null || k.StartsWith(@namespace + "/", StringComparison.Ordinal)).ToList();
            foreach (var gone in mine.Where(k => !seen.ContainsKey(k)))
            {
                announced.Remove(gone);
                Tell(gone);
            }

            foreach (var (key, rv) in seen)
            {
                if (!announced.TryGetValue(key, out var known) || known != rv)
                {
                    announced[key] = rv;
                    // The first list is what the first cycle sees anyway: only later differences are news.
                    if (!first)
                    {
                        Tell(key);
                    }
                }
            }
        }

        return resourceVersion;
    }

    private async Task<string> WatchFromAsync(string? @namespace, string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var events = @namespace is null
            ? client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: options.LabelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: 300, onError: e => failure = e, cancellationToken: cancellationToken)
            : client.CoreV1.WatchListNamespacedServiceAsync(@namespace, allowWatchBookmarks: true, labelSelector: options.LabelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: 300, onError: e => failure = e, cancellationToken: cancellationToken);
        await foreach (var (type, service) in events.WithCancellation(cancellationToken))
        {
            if (type == WatchEventType.Error)
            {
                throw new InvalidOperationException("the Service watch reported an error (probably 410 Gone)");
            }

            if (service?.Metadata?.ResourceVersion is { } rv)
            {
                resourceVersion = rv;
            }

            if (type is WatchEventType.Bookmark || service?.Metadata is null)
            {
                continue;
            }

            var key = Key(service);
            lock (announced)
            {
                var known = announced.ContainsKey(key);
                if (type != WatchEventType.Deleted && Announces(service))
                {
                    announced[key] = service.Metadata.ResourceVersion;
                    Tell(key);
                }
                else if (known)
                {
                    announced.Remove(key);
                    Tell(key);
                }
            }
        }

        return failure is null ? resourceVersion : throw failure;
    }

    private void Tell(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        changes.Writer.TryWrite(new ServiceChange(key[..slash], key[(slash + 1)..], time.GetUtcNow()));
    }

    private static bool Announces(V1Service service) => service.Metadata?.Annotations?.ContainsKey(Annotations.Type) == true;

    private static string Key(V1Service service) => $"{service.Metadata.NamespaceProperty}/{service.Metadata.Name}";
}
