using System.Collections.Concurrent;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The agent Leases of the store namespace (label <c>agentlens.io/agent-lease=true</c>), kept by list +
/// watch on every replica, so that a push entry's liveness is known within seconds of a renewal stopping
/// and without a poll. Tells its listener whenever a Lease appears, is renewed or goes away.
/// </summary>
internal sealed class AgentLeases(IKubernetes client, StoreNamespace storeNamespace, TimeProvider time, CacheOptions options, ILogger<AgentLeases> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly string Selector = $"{Annotations.AgentLeaseLabel}=true";
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

    /// <summary>A Lease appeared, was renewed or went away (its name), or every Lease may have changed (null: a relist).</summary>
    public event Action<string?>? Changed;

    public LeaseState? Get(string name) => leases.GetValueOrDefault(name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            // No read path: liveness is derived only for readers.
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await RelistAsync(stoppingToken);
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
                Log.LeaseWatchFailed(logger, e.Message);
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
        var list = await client.CoordinationV1.ListNamespacedLeaseAsync(storeNamespace.Name, labelSelector: Selector, cancellationToken: cancellationToken);
        ObserveList(list.Items);
        return list.Metadata.ResourceVersion;
    }

    /// <summary>A full list: every Lease not in it is gone.</summary>
    internal void ObserveList(IEnumerable<V1Lease> items)
    {
        var now = time.GetUtcNow();
        var listed = items.ToDictionary(l => l.Metadata.Name, l => State(l, now), StringComparer.Ordinal);
        foreach (var gone in leases.Keys.Where(name => !listed.ContainsKey(name)))
        {
            leases.TryRemove(gone, out _);
        }

        foreach (var (name, state) in listed)
        {
            leases[name] = state;
        }

        first.TrySetResult();
        Changed?.Invoke(null);
    }

    /// <summary>One watch event about one Lease.</summary>
    internal void Observe(WatchEventType type, V1Lease lease)
    {
        if (type == WatchEventType.Deleted)
        {
            leases.TryRemove(lease.Metadata.Name, out _);
        }
        else
        {
            leases[lease.Metadata.Name] = State(lease, time.GetUtcNow());
        }

        Changed?.Invoke(lease.Metadata.Name);
    }

    private async Task<string> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var events = client.CoordinationV1.WatchListNamespacedLeaseAsync(storeNamespace.Name, allowWatchBookmarks: true, labelSelector: Selector,
            resourceVersion: resourceVersion, timeoutSeconds: 300, onError: e => failure = e, cancellationToken: cancellationToken);
        await foreach (var (type, lease) in events.WithCancellation(cancellationToken))
        {
            if (lease?.Metadata?.ResourceVersion is { } rv)
            {
                resourceVersion = rv;
            }

            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted:
                    Observe(type, lease!);
                    break;
                case WatchEventType.Error:
                    throw new HttpOperationException("the Lease watch reported an error (probably 410 Gone)");
            }
        }

        return failure is null ? resourceVersion : throw failure;
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
