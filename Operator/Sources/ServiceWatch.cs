using System.Threading.Channels;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Sources;

/// <summary>A Service that was created, changed or deleted, and when the operator heard of it.</summary>
internal sealed record ServiceChange(string Namespace, string Name, DateTimeOffset At);

/// <summary>
/// Watches the Services the Kubernetes source lists (same namespaces, same label selector, through the same
/// <see cref="IServiceLister"/>) and tells of each one that announces an agent — or did until now (an
/// annotation removed, the Service deleted). Endpoints do not matter: agents are crawled by the Service's DNS
/// name. One <see cref="Reflector{T}"/> per scope does the list/watch, the relist-and-diff after 410 Gone and
/// the backoff; meanwhile the timer's full cycles still cover everything.
/// </summary>
internal sealed class ServiceWatch(IServiceLister lister, SourceOptions options, TimeProvider time, Metrics metrics, ILogger<ServiceWatch> logger)
{
    private readonly Channel<ServiceChange> changes = Channel.CreateUnbounded<ServiceChange>(new UnboundedChannelOptions { SingleReader = true });

    // The Services that announce an agent; one reflector per scope writes it, each on its own thread.
    private readonly HashSet<ObjectKey> announced = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChannelReader<ServiceChange> Changes => changes.Reader;

    /// <summary>
    /// Completes when every watched scope has been listed once. A full cycle that starts after it misses
    /// nothing: a change is either in its list or told by the watch.
    /// </summary>
    public Task Synced => synced.Task;

    /// <summary>Watches until cancelled: one watch of all namespaces, or one per configured namespace.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var scopes = options.Namespaces.Count == 0 ? [null] : options.Namespaces.Select(ns => (string?)ns).ToList();
        var unlisted = scopes.Count;
        return Task.WhenAll(scopes.Select(ns => new Reflector<V1Service>(new ServiceListWatch(lister, ns, options.LabelSelector), Observe, time, metrics, logger,
            () =>
            {
                if (Interlocked.Decrement(ref unlisted) == 0)
                {
                    synced.TrySetResult();
                }
            }).RunAsync(cancellationToken)));
    }

    /// <summary>One Service as the engine tells it: news when it announces an agent now, or did before.</summary>
    internal void Observe(ListWatchChange<V1Service> change)
    {
        bool news;
        lock (announced)
        {
            if (change.Kind != WatchEventKind.Deleted && Announces(change.Object!))
            {
                announced.Add(change.Key);
                news = true;
            }
            else
            {
                news = announced.Remove(change.Key);
            }
        }

        // The first list is what the first cycle sees anyway: only later differences are news.
        if (news && !change.Initial)
        {
            changes.Writer.TryWrite(new ServiceChange(change.Key.Namespace ?? "", change.Key.Name, time.GetUtcNow()));
        }
    }

    private static bool Announces(V1Service service) => service.Metadata?.Annotations?.ContainsKey(Annotations.Type) == true;
}
