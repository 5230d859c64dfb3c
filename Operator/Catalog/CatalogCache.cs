using System.Net;
using System.Threading.Channels;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Catalog;

internal enum CatalogEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>
/// One change to the catalog, numbered by the cache's version. <see cref="Previous"/> is the entry before the
/// change (null for an addition), so that any filter can be applied to any event without per-client state.
/// </summary>
internal sealed record CatalogEvent(long Version, CatalogEventType Type, StoredEntry Entry, StoredEntry? Previous, DateTimeOffset At);

/// <summary>What a new watcher starts from: a snapshot, or a replay of what it missed.</summary>
internal sealed record Subscription(Subscriber Subscriber, ImmutableArray<StoredEntry>? Snapshot, IReadOnlyList<CatalogEvent> Replay, long Version, bool Resynced);

/// <summary>A watcher's bounded queue. When it is full the watcher is cut off; it never slows anyone else.</summary>
internal sealed class Subscriber : IDisposable
{
    private readonly Channel<CatalogEvent> channel;
    private readonly CancellationTokenSource overflow = new();
    private readonly Action<Subscriber> unsubscribe;

    public Subscriber(int capacity, Action<Subscriber> unsubscribe)
    {
        channel = Channel.CreateBounded<CatalogEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        this.unsubscribe = unsubscribe;
    }

    public ChannelReader<CatalogEvent> Events => channel.Reader;

    /// <summary>Cancelled when the watcher fell too far behind and was cut off.</summary>
    public CancellationToken Overflowed => overflow.Token;

    internal void Offer(CatalogEvent e)
    {
        if (!channel.Writer.TryWrite(e) && !overflow.IsCancellationRequested)
        {
            overflow.Cancel();
            channel.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        unsubscribe(this);
        channel.Writer.TryComplete();
        overflow.Dispose();
    }
}

/// <summary>
/// An in-memory copy of the catalog ConfigMaps, kept by list + watch (from the list's resourceVersion), so
/// the catalog API serves every replica — leader or not — without touching the API server per request.
/// Any watch failure (410 Gone, a restarted API server) leads to a fresh list, which is diffed against the
/// cache: clients see exactly the changes they missed, never a gap and never a duplicate. Every change gets
/// the next catalog version; a bounded history (size and age) lets watchers resume with Last-Event-ID.
/// </summary>
internal sealed class CatalogCache(IKubernetes client, StoreNamespace storeNamespace, TimeProvider time, IOptions<OperatorOptions> options, ILogger<CatalogCache> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly string Selector = $"{Annotations.CatalogLabel}={Annotations.CatalogEntryValue}";
    private readonly ApiOptions api = options.Value.Api;
    private readonly Lock gate = new();
    private readonly Dictionary<string, StoredEntry> items = new(StringComparer.Ordinal);
    private readonly LinkedList<CatalogEvent> history = new();
    private readonly HashSet<Subscriber> subscribers = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long version;

    // One sorted view shared by every reader until the next change: a thousand watchers taking a snapshot
    // cost one array, not a thousand copies of the catalog.
    private ImmutableArray<StoredEntry>? sorted;

    /// <summary>Identifies this cache's numbering; a Last-Event-ID from another epoch cannot be replayed.</summary>
    public string Epoch { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);

    public bool IsSynced => synced.Task.IsCompleted;

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);

    public (long Version, IReadOnlyList<StoredEntry> Items) Snapshot()
    {
        lock (gate)
        {
            return (version, SortedLocked());
        }
    }

    private ImmutableArray<StoredEntry> SortedLocked() => sorted ??= [.. items.Values.OrderBy(i => i.Name, StringComparer.Ordinal)];

    public StoredEntry? Get(string name)
    {
        lock (gate)
        {
            return items.GetValueOrDefault(name);
        }
    }

    /// <summary>
    /// Registers a watcher atomically with what it starts from: the events after <paramref name="lastVersion"/>
    /// when the history still reaches back that far (and the epoch is this one), else a fresh snapshot.
    /// </summary>
    public Subscription Subscribe(string? lastEventId)
    {
        lock (gate)
        {
            var subscriber = new Subscriber(api.WatcherBuffer, Unsubscribe);
            subscribers.Add(subscriber);
            if (TryParseId(lastEventId, out var last))
            {
                var oldest = history.First?.Value.Version ?? version + 1;
                if (last <= version && (last == version || oldest <= last + 1))
                {
                    return new Subscription(subscriber, null, [.. history.Where(e => e.Version > last)], version, Resynced: false);
                }
            }

            return new Subscription(subscriber, SortedLocked(), [], version, Resynced: lastEventId is not null);
        }
    }

    public string Id(long v) => $"{Epoch}.{v}";

    private bool TryParseId(string? id, out long v)
    {
        v = 0;
        var dot = id?.LastIndexOf('.') ?? -1;
        return dot > 0 && id![..dot] == Epoch && long.TryParse(id[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out v);
    }

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers.Remove(subscriber);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Once || api.BindAddress == "0")
        {
            // Nobody can ask: a one-shot run and a disabled API serve no clients.
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await RelistAsync(stoppingToken);
                synced.TrySetResult();
                // Watch until it fails; a watch that merely times out is resumed from the last version seen.
                while (!stoppingToken.IsCancellationRequested)
                {
                    resourceVersion = await WatchAsync(resourceVersion, stoppingToken);
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

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        var listed = new Dictionary<string, StoredEntry>(StringComparer.Ordinal);
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync(storeNamespace.Name, labelSelector: Selector, limit: 500,
                continueParameter: continueToken, cancellationToken: cancellationToken);
            foreach (var configMap in page.Items)
            {
                listed[configMap.Metadata.Name] = ConfigMapCatalogStore.Read(configMap);
            }

            resourceVersion = page.Metadata.ResourceVersion;
            continueToken = string.IsNullOrEmpty(page.Metadata.ContinueProperty) ? null : page.Metadata.ContinueProperty;
        }
        while (continueToken is not null);

        lock (gate)
        {
            foreach (var (name, entry) in listed)
            {
                if (!items.TryGetValue(name, out var previous))
                {
                    PublishLocked(CatalogEventType.Added, entry, null);
                }
                else if (previous.ResourceVersion != entry.ResourceVersion)
                {
                    PublishLocked(CatalogEventType.Modified, entry, previous);
                }
            }

            foreach (var gone in items.Keys.Where(name => !listed.ContainsKey(name)).ToList())
            {
                PublishLocked(CatalogEventType.Deleted, items[gone], items[gone]);
            }
        }

        return resourceVersion;
    }

    /// <returns>The last resourceVersion seen, to resume from.</returns>
    private async Task<string> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
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
                    Apply(ConfigMapCatalogStore.Read(configMap!));
                    break;
                case WatchEventType.Deleted:
                    Remove(configMap!.Metadata.Name);
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

    private void Apply(StoredEntry entry)
    {
        lock (gate)
        {
            if (items.TryGetValue(entry.Name, out var previous))
            {
                if (previous.ResourceVersion != entry.ResourceVersion)
                {
                    PublishLocked(CatalogEventType.Modified, entry, previous);
                }
            }
            else
            {
                PublishLocked(CatalogEventType.Added, entry, null);
            }
        }
    }

    private void Remove(string name)
    {
        lock (gate)
        {
            if (items.TryGetValue(name, out var previous))
            {
                PublishLocked(CatalogEventType.Deleted, previous, previous);
            }
        }
    }

    private void PublishLocked(CatalogEventType type, StoredEntry entry, StoredEntry? previous)
    {
        sorted = null;
        if (type == CatalogEventType.Deleted)
        {
            items.Remove(entry.Name);
        }
        else
        {
            items[entry.Name] = entry;
        }

        var e = new CatalogEvent(++version, type, entry, type == CatalogEventType.Added ? null : previous, time.GetUtcNow());
        history.AddLast(e);
        while (history.Count > api.HistorySize || (history.First is { } first && e.At - first.Value.At > api.HistoryAge))
        {
            history.RemoveFirst();
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(e);
        }
    }
}
