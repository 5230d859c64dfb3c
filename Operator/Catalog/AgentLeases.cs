using System.Collections.Concurrent;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The agent Leases of the store namespace (label <c>agentlens.io/agent-lease=true</c>), kept on every
/// replica by the list/watch engine (<see cref="Reflector{T}"/> over <see cref="LeaseListWatch"/>), so that
/// a push entry's liveness is known within seconds of a renewal stopping and without a poll. Tells its
/// listener whenever a Lease appears, is renewed or goes away, and once (null) when the first list is in.
/// </summary>
internal sealed class AgentLeases(IListWatch<V1Lease> source, TimeProvider time, CacheOptions options, Metrics metrics, ILogger<AgentLeases> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, LeaseState> leases = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Until the first list, nothing is known, and no entry may be judged by its Lease.</summary>
    public bool IsSynced => first.Task.IsCompleted;

    /// <summary>Waits for the first list, at most <paramref name="limit"/>; false when it has not come.</summary>
    public async Task<bool> WaitSyncedAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await first.Task.WaitAsync(limit, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A Lease appeared, was renewed or went away (its name), or every Lease may have changed (null: the first list).</summary>
    public event Action<string?>? Changed;

    public LeaseState? Get(string name) => leases.GetValueOrDefault(name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            // No read path: liveness is derived only for readers.
            return;
        }

        await new Reflector<V1Lease>(source, Observe, time, metrics, logger, MarkSynced).RunAsync(stoppingToken);
    }

    /// <summary>One Lease as the engine tells it (listed, watched, or found gone by a relist).</summary>
    internal void Observe(ListWatchChange<V1Lease> change)
    {
        if (change.Kind == WatchEventKind.Deleted)
        {
            leases.TryRemove(change.Key.Name, out _);
        }
        else
        {
            leases[change.Key.Name] = State(change.Object!, time.GetUtcNow());
        }

        Changed?.Invoke(change.Key.Name);
    }

    /// <summary>The first list is in: every entry that names a Lease can now be judged by it.</summary>
    internal void MarkSynced()
    {
        if (first.TrySetResult())
        {
            Changed?.Invoke(null);
        }
    }

    /// <summary>
    /// What a Lease says, made sane on the way in: its holder writes renewTime and acquireTime, the API server
    /// only the creation time. A renewal dated in the future counts from when it was seen (else a renewTime
    /// in year 9999 would hold forever); an acquisition counts from no earlier than the Lease's creation and
    /// no later than now.
    /// </summary>
    internal static LeaseState State(V1Lease lease, DateTimeOffset now)
    {
        var created = Utc(lease.Metadata?.CreationTimestamp) is { } c && c < now ? c : now;
        var acquired = Utc(lease.Spec?.AcquireTime) ?? created;
        var since = acquired < created ? created : acquired > now ? now : acquired;
        var renewed = Utc(lease.Spec?.RenewTime) is { } r && r > now ? now : Utc(lease.Spec?.RenewTime);
        return new LeaseState(renewed, lease.Spec?.LeaseDurationSeconds, since);
    }

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
}
