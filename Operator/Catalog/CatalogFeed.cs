using System.Runtime.CompilerServices;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The catalog as readers see it, and its changes: the entries shown now, a version per change, a bounded
/// history (size and age) and the live subscribers. Whoever keeps the catalog (the mirror) only says what an
/// entry is now (<see cref="Put"/>, <see cref="Remove"/>); the feed publishes exactly the differences, so a
/// relist that brings nothing new publishes nothing. Wire formats of its versions belong to the APIs.
/// </summary>
internal sealed class CatalogFeed(CacheOptions options, TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, StoredEntry> items = new(StringComparer.Ordinal);
    private readonly LinkedList<CatalogEvent> history = new();
    private readonly HashSet<Subscriber> subscribers = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long version;

    // One sorted view shared by every reader until the next change: a thousand watchers taking a snapshot
    // cost one array, not a thousand copies of the catalog.
    private ImmutableArray<StoredEntry>? sorted;

    // The version at which each shown entry was published; an entry object is published once.
    private readonly ConditionalWeakTable<StoredEntry, StrongBox<long>> publishedAt = [];

    public const string NotSyncedMessage = "the catalog cache has not synced with the API server yet";

    public bool IsSynced => synced.Task.IsCompleted;

    /// <summary>The keeper of the catalog has loaded it once: readers may be answered.</summary>
    public void MarkSynced() => synced.TrySetResult();

    /// <summary>Whether the feed has synced, waiting up to five seconds for it: readers get an answer or a 503, never a hang.</summary>
    public async Task<bool> WaitSyncedAsync(CancellationToken cancellationToken)
    {
        if (IsSynced)
        {
            return true;
        }

        try
        {
            await synced.Task.WaitAsync(TimeSpan.FromSeconds(5), time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public (long Version, IReadOnlyList<StoredEntry> Items) Snapshot()
    {
        lock (gate)
        {
            return (version, SortedLocked());
        }
    }

    public StoredEntry? Get(string name)
    {
        lock (gate)
        {
            return items.GetValueOrDefault(name);
        }
    }

    /// <summary>The names shown now (for a relist's diff).</summary>
    public IReadOnlyList<string> Names()
    {
        lock (gate)
        {
            return [.. items.Keys];
        }
    }

    /// <summary>The catalog version at which this entry (as shown) was published.</summary>
    public long VersionOf(StoredEntry entry) => publishedAt.TryGetValue(entry, out var at) ? at.Value : 0;

    /// <summary>Watchers connected now.</summary>
    public int Subscribers
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    /// <summary>
    /// Registers a watcher atomically with what it starts from: a snapshot when <paramref name="from"/> is
    /// null; every event after it when the history still reaches back that far; else a fresh snapshot marked
    /// <see cref="Subscription.TooOld"/> (an SSE client resyncs from it, a Kubernetes watch answers 410).
    /// </summary>
    public Subscription Subscribe(long? from)
    {
        lock (gate)
        {
            var subscriber = new Subscriber(options.WatcherBuffer, Unsubscribe);
            subscribers.Add(subscriber);
            if (from is { } last && Reaches(last))
            {
                return new Subscription(subscriber, null, [.. history.Where(e => e.Version > last)], version, TooOld: false);
            }

            return new Subscription(subscriber, SortedLocked(), [], version, TooOld: from is not null);
        }
    }

    // The one history-reach test: nothing from the future, and the events after `last` are all still held.
    private bool Reaches(long last) => last <= version && (last == version || (history.First?.Value.Version ?? version + 1) <= last + 1);

    /// <summary>Shows <paramref name="entry"/>: Added, Modified, or nothing when readers already see it so.</summary>
    public void Put(StoredEntry entry)
    {
        lock (gate)
        {
            if (!items.TryGetValue(entry.Name, out var previous))
            {
                PublishLocked(CatalogEventType.Added, entry, null);
            }
            else if (previous.ResourceVersion != entry.ResourceVersion || (!ReferenceEquals(previous, entry) && !previous.Utf8Json.AsSpan().SequenceEqual(entry.Utf8Json)))
            {
                PublishLocked(CatalogEventType.Modified, entry, previous);
            }
        }
    }

    /// <summary>Stops showing the entry: Deleted, or nothing when it was not shown.</summary>
    public void Remove(string name)
    {
        lock (gate)
        {
            if (items.TryGetValue(name, out var previous))
            {
                PublishLocked(CatalogEventType.Deleted, previous, previous);
            }
        }
    }

    private ImmutableArray<StoredEntry> SortedLocked() => sorted ??= [.. items.Values.OrderBy(i => i.Name, StringComparer.Ordinal)];

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers.Remove(subscriber);
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
        if (type != CatalogEventType.Deleted)
        {
            publishedAt.AddOrUpdate(entry, new StrongBox<long>(e.Version));
        }

        history.AddLast(e);
        while (history.Count > options.HistorySize || (history.First is { } first && e.At - first.Value.At > options.HistoryAge))
        {
            history.RemoveFirst();
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(e);
        }
    }
}
