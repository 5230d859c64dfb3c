namespace AgentLens.Operator.Domain;

/// <summary>
/// The one list/watch engine: every watched kind is a consumer of it. A paginated list, then a watch from
/// the list's resourceVersion with bookmarks (each event moves the version on). A watch that ends (the
/// server's timeout) is resumed from the last version. One that breaks or cannot be opened, or answers
/// 410 Gone, is replaced by a fresh list, diffed against the keys and versions held here, so the consumer is
/// told exactly what it missed (an object that did not change is not told again). A break usually means the
/// API server went away, and a new one's watch cache cannot serve the old version anyway; a resumed watch
/// sent while kube-apiserver 1.20 was starting up was seen to stay open and silent for minutes (a Service
/// created meanwhile was never told), while a list at that moment is answered once the server is ready.
/// The cost is one paginated list per break. Failures back off with jitter from 0.5 s, doubling up to 30 s, back to the
/// start after a healthy watch. A consumer's exception is logged and counted and changes nothing here:
/// rethrown it would cause a relist, which would hand the same object to the same code.
/// Holds only key → resourceVersion; what a consumer keeps of each object is its own business.
/// <paramref name="synced"/>, when given, is called once, right after the first list's last change and before
/// any watch event, so a consumer can mark itself ready in order with what it was told.
/// </summary>
internal sealed class Reflector<T>(IListWatch<T> source, Action<ListWatchChange<T>> consumer, TimeProvider time, Metrics metrics, ILogger logger,
    Action? synced = null, Random? random = null)
    where T : class
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // A watch that ends this soon having delivered nothing counts as a failure: a server that hangs up at
    // once would otherwise be asked again at once, forever.
    private static readonly TimeSpan HealthyWatch = TimeSpan.FromSeconds(1);

    // Restarts of one list whose continue token expired before it counts as a failed list.
    private const int ListRestarts = 3;

    private readonly Dictionary<ObjectKey, string?> known = [];
    private readonly TaskCompletionSource firstList = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Random random = random ?? Random.Shared;
    private TimeSpan backoff = FirstBackoff;

    // Whether the current watch has delivered anything (a bookmark counts): then it was healthy.
    private bool delivered;

    /// <summary>Completes once the first full list has been delivered to the consumer.</summary>
    public Task Synced => firstList.Task;

    /// <summary>The version the next watch starts from; null when the next step is a list.</summary>
    internal string? ResourceVersion { get; private set; }

    /// <summary>Lists and watches until cancelled; returns then, never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            delivered = false;
            var listed = false;
            string reason, problem;
            try
            {
                if (ResourceVersion is null)
                {
                    ResourceVersion = await ListAsync(cancellationToken);
                    listed = true;
                }

                if (await WatchAsync(cancellationToken))
                {
                    backoff = FirstBackoff;
                    continue;
                }

                (reason, problem) = ("ended", "the watch ended at once, having delivered nothing");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ResourceExpiredException e)
            {
                ResourceVersion = null;
                (reason, problem) = ("expired", e.Message);
                if (delivered || !listed)
                {
                    // The usual 410: a watch that ran a while, or one resumed after a break (an API server
                    // restart empties its watch cache), outlived the server's history. Relist at once; a
                    // watch that fails so right after its list backs off like any failure.
                    metrics.ListWatchRestart(source.Resource, reason);
                    Log.ListWatchExpired(logger, source.Resource, source.Scope, problem);
                    if (delivered)
                    {
                        backoff = FirstBackoff;
                    }

                    continue;
                }
            }
            catch (Exception e)
            {
                ResourceVersion = null;
                (reason, problem) = ("failed", e.Message);
            }

            if (delivered)
            {
                backoff = FirstBackoff;
            }

            var delay = Delay();
            metrics.ListWatchRestart(source.Resource, reason);
            Log.ListWatchFailed(logger, source.Resource, source.Scope, problem, delay.TotalSeconds,
                ResourceVersion is null ? "with a fresh list, telling only what changed" : $"watching from resourceVersion {ResourceVersion}");
            if (!await WaitAsync(delay, cancellationToken))
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>The current backoff, ±25 % so that many replicas (or many watches) do not retry in step.</summary>
    private TimeSpan Delay()
    {
        var jittered = backoff * (0.75 + (0.5 * random.NextDouble()));
        return jittered < MaxBackoff ? jittered : MaxBackoff;
    }

    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A full list, page by page; tells every difference from what was held; returns the list's version.</summary>
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var initial = !firstList.Task.IsCompleted;
        var seen = new HashSet<ObjectKey>();
        string? next = null;
        var restarts = 0;
        while (true)
        {
            ListPage<T> page;
            try
            {
                page = await source.ListPageAsync(ListPages.Size, next, cancellationToken);
            }
            catch (ResourceExpiredException) when (next is not null && restarts++ < ListRestarts)
            {
                // The snapshot being paged through was compacted away: list again from the start. What
                // was told from the earlier pages stays true; the diff at the end covers the rest.
                metrics.ListWatchRestart(source.Resource, "list-expired");
                seen.Clear();
                next = null;
                continue;
            }

            foreach (var item in page.Items)
            {
                var key = source.KeyOf(item);
                seen.Add(key);
                Apply(known.ContainsKey(key) ? WatchEventKind.Modified : WatchEventKind.Added, key, item, initial);
            }

            next = page.Continue;
            if (next is null)
            {
                foreach (var gone in known.Keys.Where(k => !seen.Contains(k)).ToList())
                {
                    known.Remove(gone);
                    Tell(WatchEventKind.Deleted, gone, null, initial);
                }

                if (!initial)
                {
                    metrics.ListWatchRelisted(source.Resource);
                }
                else if (synced is not null)
                {
                    TellSynced(synced);
                }

                firstList.TrySetResult();
                return page.ResourceVersion;
            }
        }
    }

    /// <summary>One watch, until it ends (true when it was healthy) or throws.</summary>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        var opened = time.GetUtcNow();
        await foreach (var e in source.WatchAsync(ResourceVersion!, cancellationToken).WithCancellation(cancellationToken))
        {
            delivered = true;
            if (source.VersionOf(e.Object) is { Length: > 0 } version)
            {
                ResourceVersion = version;
            }

            if (e.Kind == WatchEventKind.Bookmark)
            {
                continue;
            }

            var key = source.KeyOf(e.Object);
            if (e.Kind == WatchEventKind.Deleted)
            {
                known.Remove(key);
                Tell(WatchEventKind.Deleted, key, e.Object, initial: false);
            }
            else
            {
                Apply(e.Kind, key, e.Object, initial: false);
            }
        }

        return delivered || time.GetUtcNow() - opened >= HealthyWatch;
    }

    /// <summary>An object as listed or watched: told unless its version is the one already held.</summary>
    private void Apply(WatchEventKind kind, ObjectKey key, T item, bool initial)
    {
        var version = source.VersionOf(item);
        if (known.TryGetValue(key, out var held) && held is not null && held == version)
        {
            return;
        }

        known[key] = version;
        Tell(kind, key, item, initial);
    }

    private void TellSynced(Action callback)
    {
        try
        {
            callback();
        }
        catch (Exception e)
        {
            Log.ListWatchConsumerFailed(logger, source.Resource, "(synced)", e.GetType().Name, e.Message);
            metrics.ListWatchConsumerFailed(source.Resource);
        }
    }

    private void Tell(WatchEventKind kind, ObjectKey key, T? item, bool initial)
    {
        try
        {
            consumer(new ListWatchChange<T>(kind, key, item, initial));
        }
        catch (Exception e)
        {
            Log.ListWatchConsumerFailed(logger, source.Resource, key.ToString(), e.GetType().Name, e.Message);
            metrics.ListWatchConsumerFailed(source.Resource);
        }
    }
}
