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

    public event Action? Changed;

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
        var listed = list.Items.ToDictionary(l => l.Metadata.Name, State, StringComparer.Ordinal);
        foreach (var gone in leases.Keys.Where(name => !listed.ContainsKey(name)))
        {
            leases.TryRemove(gone, out _);
        }

        foreach (var (name, state) in listed)
        {
            leases[name] = state;
        }

        first.TrySetResult();
        Changed?.Invoke();
        return list.Metadata.ResourceVersion;
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
                case WatchEventType.Added or WatchEventType.Modified:
                    leases[lease!.Metadata.Name] = State(lease);
                    Changed?.Invoke();
                    break;
                case WatchEventType.Deleted:
                    leases.TryRemove(lease!.Metadata.Name, out _);
                    Changed?.Invoke();
                    break;
                case WatchEventType.Error:
                    throw new HttpOperationException("the Lease watch reported an error (probably 410 Gone)");
            }
        }

        return failure is null ? resourceVersion : throw failure;
    }

    private static LeaseState State(V1Lease lease) => new(
        Utc(lease.Spec?.RenewTime),
        lease.Spec?.LeaseDurationSeconds,
        Utc(lease.Spec?.AcquireTime) ?? Utc(lease.Metadata.CreationTimestamp) ?? DateTimeOffset.UnixEpoch);

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
}
