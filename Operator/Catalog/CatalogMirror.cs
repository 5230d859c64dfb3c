using AgentLens.Operator.Domain;
namespace AgentLens.Operator.Catalog;

/// <summary>
/// The operator's copy of the catalog, kept by the list/watch of its ConfigMaps, so every replica — leader
/// or not — serves readers without touching the API server per request. It holds the Lease-derived view of
/// push entries (a push entry whose Lease expired is shown Offline, one Offline beyond the retention not at
/// all), tells what readers should see to the <see cref="CatalogFeed"/>, and serves the reconciler's
/// consistent read with the entries as stored.
/// </summary>
internal sealed class CatalogMirror(
    CatalogConfigMaps configMaps,
    CatalogFeed feed,
    AgentLeases leases,
    IEventRecorder events,
    ILeadership health,
    Metrics metrics,
    TimeProvider time,
    CacheOptions options,
    ILogger<CatalogMirror> logger) : BackgroundService, ICatalogReader, IEntrySink
{
    private static readonly TimeSpan LivenessTick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LoopRestartDelay = TimeSpan.FromSeconds(1);
    private readonly Lock gate = new();

    // Push entries that name a Lease, as stored; readers see them as LeaseLiveness derives them.
    private readonly LeasedEntries leased = new();

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
        await configMaps.RunAsync(this, stoppingToken);
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
        if (!options.Enabled || !feed.IsSynced)
        {
            return null;
        }

        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            lock (gate)
            {
                if (writes.All(w => w.Value is null ? feed.Get(w.Key) is null : RawLocked(w.Key)?.ResourceVersion == w.Value))
                {
                    // As stored: a Lease-bearing push entry is read as written, not as its Lease shows it.
                    // A hub's federated entries share the feed but are in no store of ours: never the planner's.
                    return [.. feed.Snapshot().Items.Where(i => i.Origin is null).Select(i => leased.Raw(i.Name) ?? i)];
                }
            }

            if (time.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
    }

    private StoredEntry? RawLocked(string name) => leased.Raw(name) ?? feed.Get(name);

    /// <summary>Push entries by liveness, for the gauge.</summary>
    public IReadOnlyDictionary<Liveness, int> PushLiveness()
    {
        lock (gate)
        {
            var counts = leased.States.Where(l => l != Liveness.None).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            counts[Liveness.None] = feed.Snapshot().Items.Count(i => i.IsPush && i.Origin is null && !leased.Contains(i.Name));
            return counts;
        }
    }

    /// <summary>The first list is in: the feed may serve readers (and the reconciler's consistent read).</summary>
    public void Synced() => feed.MarkSynced();

    public void Apply(StoredEntry entry)
    {
        lock (gate)
        {
            UpsertLocked(entry);
        }
    }

    public void Remove(string name)
    {
        lock (gate)
        {
            RemoveLocked(name);
        }
    }

    /// <summary>Tells the feed what readers should see of a stored entry (it publishes Added, Modified, Deleted or nothing).</summary>
    private void UpsertLocked(StoredEntry raw)
    {
        if (ShownLocked(raw) is { } shown)
        {
            feed.Put(shown);
        }
        else
        {
            feed.Remove(raw.Name);
        }
    }

    private void RemoveLocked(string name)
    {
        leased.Forget(name);
        feed.Remove(name);
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
}
