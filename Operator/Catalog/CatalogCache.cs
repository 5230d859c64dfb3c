using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// An in-memory copy of the catalog ConfigMaps, kept by list + watch (from the list's resourceVersion), so
/// the catalog API serves every replica — leader or not — without touching the API server per request.
/// Any watch failure (410 Gone, a restarted API server) leads to a fresh list, which is diffed against the
/// cache: clients see exactly the changes they missed, never a gap and never a duplicate. Every change gets
/// the next catalog version; a bounded history (size and age) lets watchers resume with Last-Event-ID.
/// </summary>
internal sealed class CatalogCache(
    IKubernetes client,
    StoreNamespace storeNamespace,
    AgentLeases leases,
    IEventRecorder events,
    ILeadership health,
    Metrics metrics,
    TimeProvider time,
    CacheOptions options,
    ILogger<CatalogCache> logger) : BackgroundService, ICatalogReader
{
    private static readonly TimeSpan LivenessTick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LoopRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly string Selector = $"{Annotations.CatalogLabel}={Annotations.CatalogEntryValue}";
    private readonly Lock gate = new();
    private readonly Dictionary<string, StoredEntry> items = new(StringComparer.Ordinal);
    private readonly LinkedList<CatalogEvent> history = new();
    private readonly HashSet<Subscriber> subscribers = [];
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long version;

    // One sorted view shared by every reader until the next change: a thousand watchers taking a snapshot
    // cost one array, not a thousand copies of the catalog.
    private ImmutableArray<StoredEntry>? sorted;

    // Push entries that name a Lease, as stored; readers see them as LeaseLiveness derives them.
    private readonly LeasedEntries leased = new();

    /// <summary>Identifies this cache's numbering; a Last-Event-ID from another epoch cannot be replayed.</summary>
    public string Epoch { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);

    // Kubernetes resourceVersions: the catalog version in the low 40 bits, a random epoch above them, so a
    // version from another replica or an earlier run is told apart (and answered 410 Gone), never misread.
    private const int EpochShift = 40;
    private readonly long resourceVersionEpoch = Random.Shared.NextInt64(1, 1L << 22);

    // The version at which each shown entry was published; an entry object is published once.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoredEntry, StrongBox<long>> publishedAt = [];

    public bool IsSynced => synced.Task.IsCompleted;

    public const string NotSyncedMessage = "the catalog cache has not synced with the API server yet";

    /// <summary>Whether the cache has synced, waiting up to five seconds for it: readers get an answer or a 503, never a hang.</summary>
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
            var subscriber = new Subscriber(options.WatcherBuffer, Unsubscribe);
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

    /// <summary>A catalog version as a Kubernetes resourceVersion (opaque to clients, unique to this cache).</summary>
    public string ResourceVersion(long v) => ((resourceVersionEpoch << EpochShift) | v).ToString(CultureInfo.InvariantCulture);

    /// <summary>The catalog version a resourceVersion of this cache names; false for another epoch's or garbage.</summary>
    public bool TryParseResourceVersion(string? resourceVersion, out long v)
    {
        v = 0;
        if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var raw) || raw >> EpochShift != resourceVersionEpoch)
        {
            return false;
        }

        v = raw & ((1L << EpochShift) - 1);
        return true;
    }

    /// <summary>The catalog version at which this entry (as shown) was published.</summary>
    public long VersionOf(StoredEntry entry) => publishedAt.TryGetValue(entry, out var at) ? at.Value : 0;

    /// <summary>
    /// A Kubernetes watch: from a snapshot when <paramref name="from"/> is null, else replaying every event
    /// after it — or null when the history no longer reaches back that far (the client must relist).
    /// </summary>
    public Subscription? SubscribeFrom(long? from)
    {
        lock (gate)
        {
            if (from is { } last)
            {
                var oldest = history.First?.Value.Version ?? version + 1;
                if (last > version || (last < version && oldest > last + 1))
                {
                    return null;
                }
            }

            var subscriber = new Subscriber(options.WatcherBuffer, Unsubscribe);
            subscribers.Add(subscriber);
            return from is { } after
                ? new Subscription(subscriber, null, [.. history.Where(e => e.Version > after)], version, Resynced: false)
                : new Subscription(subscriber, SortedLocked(), [], version, Resynced: false);
        }
    }

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
        if (!options.Enabled)
        {
            // Nobody can ask: a one-shot run and a disabled API serve no clients.
            return;
        }

        // Judge no push entry by its Lease before the Leases are known (but do not wait on them forever).
        await leases.WaitSyncedAsync(TimeSpan.FromSeconds(5), stoppingToken);
        FollowLeases();
        var livenessLoop = RunLivenessAsync(stoppingToken);
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
                break;
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
                    break;
                }
            }
        }

        leases.Changed -= OnLeaseChanged;
        await livenessLoop;
    }

    internal void FollowLeases() => leases.Changed += OnLeaseChanged;

    /// <summary>Derivations of a Lease-bearing entry (each one serializes it): what Lease renewals cost.</summary>
    internal long LivenessDerivations { get; private set; }

    /// <summary>
    /// Lease expiry happens without any event: four times a second, the entries whose liveness can have
    /// changed by now (usually none) are derived again. A failure is logged, counted and the loop restarted.
    /// </summary>
    internal async Task RunLivenessAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var ticker = new PeriodicTimer(LivenessTick, time);
                while (await ticker.WaitForNextTickAsync(cancellationToken))
                {
                    Tick();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.CatalogLoopFailed(logger, "liveness", e.GetType().Name, LoopRestartDelay.TotalSeconds);
                metrics.CatalogLoopFailed("liveness");
                try
                {
                    await Task.Delay(LoopRestartDelay, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One liveness tick: the entries whose computed expiry (or retention) has passed.</summary>
    internal void Tick()
    {
        lock (gate)
        {
            ReevaluateLocked(leased.TakeDue(time.GetUtcNow()));
        }
    }

    /// <summary>A Lease changed: only the entries naming it are derived again (all of them after a relist).</summary>
    private void OnLeaseChanged(string? leaseName)
    {
        try
        {
            lock (gate)
            {
                ReevaluateLocked(leased.Naming(leaseName));
            }
        }
        catch (Exception e)
        {
            // Never into the Lease watch, which would relist and fail again: the timer retries these entries.
            Log.CatalogLoopFailed(logger, "lease-event", e.GetType().Name, LoopRestartDelay.TotalSeconds);
            metrics.CatalogLoopFailed("lease-event");
        }
    }

    /// <summary>Derives the entries anew and publishes what changed; one that fails is retried shortly, the others go on.</summary>
    private void ReevaluateLocked(List<StoredEntry> entries)
    {
        Exception? failure = null;
        foreach (var raw in entries)
        {
            try
            {
                UpsertLocked(raw);
            }
            catch (Exception e)
            {
                failure ??= e;
                leased.Schedule(raw.Name, LeaseLiveness.Add(time.GetUtcNow(), LoopRestartDelay));
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    public async Task<IReadOnlyList<StoredEntry>?> TryReadAsync(IReadOnlyDictionary<string, string?> writes, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!options.Enabled || !IsSynced)
        {
            return null;
        }

        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            lock (gate)
            {
                if (writes.All(w => w.Value is null ? !items.ContainsKey(w.Key) : RawLocked(w.Key)?.ResourceVersion == w.Value))
                {
                    // As stored: a Lease-bearing push entry is read as written, not as its Lease shows it.
                    return [.. items.Values.Select(i => leased.Raw(i.Name) ?? i)];
                }
            }

            if (time.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
    }

    private StoredEntry? RawLocked(string name) => leased.Raw(name) ?? items.GetValueOrDefault(name);

    /// <summary>Push entries by liveness, for the gauge.</summary>
    public IReadOnlyDictionary<Liveness, int> PushLiveness()
    {
        lock (gate)
        {
            var counts = leased.States.Where(l => l != Liveness.None).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            counts[Liveness.None] = items.Values.Count(i => i.IsPush && !leased.Contains(i.Name));
            return counts;
        }
    }

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
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

        lock (gate)
        {
            foreach (var entry in listed.Values)
            {
                UpsertLocked(entry);
            }

            foreach (var gone in items.Keys.Concat(leased.Names).Where(name => !listed.ContainsKey(name)).Distinct().ToList())
            {
                RemoveLocked(gone);
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

    internal void Apply(StoredEntry entry)
    {
        lock (gate)
        {
            UpsertLocked(entry);
        }
    }

    internal void Remove(string name)
    {
        lock (gate)
        {
            RemoveLocked(name);
        }
    }

    /// <summary>Publishes what readers should see of a stored entry: Added, Modified, Deleted or nothing.</summary>
    private void UpsertLocked(StoredEntry raw)
    {
        var shown = ShownLocked(raw);
        var found = items.TryGetValue(raw.Name, out var previous);
        if (shown is null)
        {
            if (found)
            {
                PublishLocked(CatalogEventType.Deleted, previous!, previous);
            }
        }
        else if (!found)
        {
            PublishLocked(CatalogEventType.Added, shown, null);
        }
        else if (previous!.ResourceVersion != shown.ResourceVersion || (!ReferenceEquals(previous, shown) && previous.Json != shown.Json))
        {
            PublishLocked(CatalogEventType.Modified, shown, previous);
        }
    }

    private void RemoveLocked(string name)
    {
        leased.Forget(name);
        if (items.TryGetValue(name, out var previous))
        {
            PublishLocked(CatalogEventType.Deleted, previous, previous);
        }
    }

    /// <summary>
    /// The entry as readers see it: as stored, or as its Lease makes it (null: no longer listed). Derived
    /// again only when the stored entry or its liveness changed; else the entry already shown is reused.
    /// </summary>
    private StoredEntry? ShownLocked(StoredEntry raw)
    {
        var leaseName = LeaseLiveness.LeaseName(raw);
        if (leaseName is null)
        {
            leased.Forget(raw.Name);
            return raw;
        }

        var tracked = leased.Track(raw, leaseName);
        if (!leases.IsSynced)
        {
            return raw;
        }

        var now = time.GetUtcNow();
        var lease = leases.Get(leaseName);
        tracked.MissingSince = lease is null ? tracked.MissingSince ?? now : null;
        var (state, since) = LeaseLiveness.Of(lease, now, tracked.MissingSince ?? now);
        NoteTransitionLocked(tracked, state, since, now);
        var dropped = state != Liveness.Live && since is { } down && now - down > options.Retention;
        var key = new LeasedEntries.Derivation(state, since is { } s ? CatalogJson.Truncate(s) : null, CatalogJson.Truncate(lease?.Since ?? DateTimeOffset.UnixEpoch), dropped);
        leased.Schedule(raw.Name, dropped ? null : LeaseLiveness.NextChange(lease, state, since, options.Retention));
        if (tracked.Key != key)
        {
            LivenessDerivations++;
            tracked.Shown = LeaseLiveness.Apply(raw, leaseName, state, since, lease, now, options.Retention);
            tracked.Key = key;
        }

        return tracked.Shown;
    }

    /// <summary>A change of liveness: counted, and told on the push entry by the leader (every replica derives it).</summary>
    private void NoteTransitionLocked(LeasedEntries.Tracked tracked, Liveness state, DateTimeOffset? since, DateTimeOffset now)
    {
        var before = tracked.State;
        if (before == state)
        {
            return;
        }

        var (raw, leaseName) = (tracked.Raw, tracked.LeaseName);
        tracked.State = state;
        if (state == Liveness.Expired && since is { } expiry)
        {
            metrics.LeaseExpiryNoticed(now - expiry);
        }

        var (reason, message, warning) = state switch
        {
            Liveness.Expired => ("LeaseExpired", $"Lease {leaseName} was not renewed in time; the entry is shown Offline", true),
            Liveness.Missing => ("LeaseMissing", $"Lease {leaseName} does not exist in namespace {raw.Namespace}; the entry is shown Offline", true),
            _ when before is Liveness.Expired or Liveness.Missing => ("LeaseRenewed", $"Lease {leaseName} is renewed; the entry is shown as written", false),
            _ => (null, null, false),
        };
        if (reason is not null && health.IsLeader)
        {
            // The recorder never throws and rate-limits itself; nothing here waits for it.
            _ = events.RecordAsync(new EventTarget("ConfigMap", raw.Namespace, raw.Name, raw.Uid, raw.ResourceVersion), reason, message!, warning, CancellationToken.None);
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
