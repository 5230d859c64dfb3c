using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// One member as the hub follows it: its list/watch (the one engine, with its own backoff, so a member that
/// fails never slows another), the entries taken from it, and the reachability they show. Entries are put in
/// the catalog feed under cluster-qualified names; readers see them beside the hub's own. A member that
/// fails keeps its entries as they were, marked <c>ClusterReachable=False</c> once the grace period is over.
/// </summary>
internal sealed class MemberCluster : IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<ObjectKey, MemberEntry> entries;
    private readonly HashSet<ObjectKey> unconfirmed;
    private readonly CatalogFeed feed;
    private readonly FederationOptions options;
    private readonly TimeProvider time;
    private readonly Metrics metrics;
    private readonly ILogger logger;
    private CancellationTokenSource? stop;
    private Task running = Task.CompletedTask;
    private IKubernetes? client;
    private Reachability shown;
    private bool refusedLogged;

    // Set when a successor took the entries: a late event of the old watch must not touch the catalog.
    private bool retired;

    /// <param name="carried">The entries of the member this one replaces (same cluster, new credentials): kept until its first list says otherwise.</param>
    public MemberCluster(string cluster, string hub, string configHash, CatalogFeed feed, FederationOptions options, TimeProvider time, Metrics metrics, ILogger logger,
        MemberCluster? carried = null)
    {
        (Cluster, Hub, ConfigHash, this.feed, this.options, this.time, this.metrics, this.logger) = (cluster, hub, configHash, feed, options, time, metrics, logger);
        Health = new MemberHealth(time);
        entries = carried?.TakeEntries() ?? [];
        unconfirmed = [.. entries.Keys];
        shown = carried?.shown is { Reachable: true } up ? up : Reachability.Up(time.GetUtcNow());
    }

    public string Cluster { get; }

    public string Hub { get; }

    /// <summary>A digest of the credentials the member was started with: new credentials start it anew.</summary>
    public string ConfigHash { get; }

    public MemberHealth Health { get; }

    /// <summary>When the member left the inventory (its entries leave after the retention); null while it is in.</summary>
    public DateTimeOffset? RemovedAt { get; private set; }

    public bool Reachable
    {
        get
        {
            lock (gate)
            {
                return shown.Reachable;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Completes once the member's first full list has been taken in.</summary>
    public Task Synced { get; private set; } = Task.CompletedTask;

    public void Start(IKubernetes memberClient)
    {
        client = memberClient;
        stop = new CancellationTokenSource();
        var reflector = new Reflector<MemberAgentType>(new MemberListWatch(memberClient, Cluster, Health, options.Timeout), Tell, time, metrics, logger, Confirmed);
        Synced = reflector.Synced;
        running = Task.Run(() => reflector.RunAsync(stop.Token));
    }

    /// <summary>Stops following the member; what it holds stays until <see cref="Forget"/>.</summary>
    public async Task StopAsync()
    {
        if (stop is null)
        {
            return;
        }

        await stop.CancelAsync();
        await running;
        stop.Dispose();
        stop = null;
        client?.Dispose();
        client = null;
    }

    public void Dispose() => stop?.Dispose();

    /// <summary>The member left the inventory: its entries say so, and leave after the retention.</summary>
    public void MarkRemoved(DateTimeOffset now, string reason, string message)
    {
        lock (gate)
        {
            RemovedAt = now;
            shown = new Reachability(false, reason, message, now);
            ShowAllLocked();
        }
    }

    /// <summary>Takes the member's health into what its entries show, once the grace period says so.</summary>
    public void Tick(DateTimeOffset now)
    {
        lock (gate)
        {
            if (RemovedAt is not null)
            {
                return;
            }

            var (failingSince, reason, message) = Health.State;
            Reachability next;
            if (failingSince is { } since && now - since >= options.GracePeriod)
            {
                next = new Reachability(false, reason, message, since);
            }
            else if (failingSince is null && !shown.Reachable)
            {
                next = Reachability.Up(now);
            }
            else
            {
                return;
            }

            if (next.Reachable != shown.Reachable || next.Reason != shown.Reason)
            {
                Log.MemberReachability(logger, Cluster, next.Reachable, next.Reason, next.Message);
                shown = next;
                ShowAllLocked();
            }
        }
    }

    /// <summary>Removes every entry of the member from the catalog.</summary>
    public void Forget()
    {
        lock (gate)
        {
            foreach (var e in entries.Values)
            {
                feed.Remove(QualifiedName(e));
            }

            entries.Clear();
        }
    }

    private Dictionary<ObjectKey, MemberEntry> TakeEntries()
    {
        lock (gate)
        {
            var taken = new Dictionary<ObjectKey, MemberEntry>(entries);
            entries.Clear();
            retired = true;
            return taken;
        }
    }

    private void Tell(ListWatchChange<MemberAgentType> change)
    {
        lock (gate)
        {
            if (retired)
            {
                return;
            }

            unconfirmed.Remove(change.Key);
            if (change.Kind == WatchEventKind.Deleted)
            {
                RemoveLocked(change.Key);
                return;
            }

            var (entry, skipped) = FederatedEntries.Read(change.Object!);
            if (entry is not null && !entries.ContainsKey(change.Key) && entries.Count >= options.MaxEntries)
            {
                (entry, skipped) = (null, "limit");
            }

            if (entry is null)
            {
                metrics.FederatedEntrySkipped(skipped!);
                if (!refusedLogged)
                {
                    // Once per member: a hostile member must not flood the hub's log.
                    refusedLogged = true;
                    Log.MemberEntrySkipped(logger, Cluster, skipped!);
                }

                RemoveLocked(change.Key);
                return;
            }

            entries[change.Key] = entry;
            ShowLocked(entry);
        }
    }

    /// <summary>The first list is in: what was carried over from a replaced member and is no longer there goes.</summary>
    private void Confirmed()
    {
        lock (gate)
        {
            foreach (var key in unconfirmed)
            {
                RemoveLocked(key);
            }

            unconfirmed.Clear();
        }
    }

    private void RemoveLocked(ObjectKey key)
    {
        if (entries.Remove(key, out var gone))
        {
            feed.Remove(QualifiedName(gone));
        }
    }

    private void ShowAllLocked()
    {
        foreach (var e in entries.Values)
        {
            ShowLocked(e);
        }
    }

    private void ShowLocked(MemberEntry entry)
    {
        if (FederatedEntries.Render(entry, Cluster, Hub, shown) is { } rendered)
        {
            feed.Put(rendered);
        }
        else
        {
            metrics.FederatedEntrySkipped("too_large");
            feed.Remove(QualifiedName(entry));
        }
    }

    private string QualifiedName(MemberEntry entry) => $"{Cluster}.{entry.Name}";
}
