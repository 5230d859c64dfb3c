using AgentLens.Operator.Crawling;
using AgentLens.Operator.Reconciliation;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// Keeps MCP tool lists as fresh as their servers ask: on the injected <see cref="TimeProvider"/>, it sleeps
/// until the next entry of the <see cref="FreshnessSchedule"/> falls due (a TTL ran out, a server said a list
/// changed) and, on the leader only, introspects the due entries again through the reconciler's refresh —
/// taking turns with full cycles and targeted reconciles through the one <see cref="CycleGate"/>, each agent
/// within its agent budget. One failed refresh never ends the loop; the next full cycle covers it.
/// </summary>
internal sealed class FreshnessLoop(
    IReconciler reconciler,
    FreshnessSchedule schedule,
    CycleGate gate,
    OperatorHealth health,
    Metrics metrics,
    TimeProvider time,
    IOptions<OperatorOptions> options,
    ILogger<FreshnessLoop> logger,
    McpSubscriptions? subscriptions = null) : BackgroundService
{
    // A follower looks again this often: it never has due entries of its own, and must notice when it leads.
    private static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(30);

    // How often the held subscriptions are matched to the servers that announce list_changed.
    private static readonly TimeSpan SubscriptionSync = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Once)
        {
            return;
        }

        var subscribing = options.Value.Mcp.Subscribe && subscriptions is not null
            ? Task.WhenAll(SyncSubscriptionsAsync(subscriptions, stoppingToken), NotificationsAsync(subscriptions, stoppingToken))
            : Task.CompletedTask;
        await RunScheduleAsync(stoppingToken);
        await subscribing;
    }

    /// <summary>--mcp-subscribe: the leader holds subscriptions to the servers the schedule knows announce list_changed; a follower none.</summary>
    private async Task SyncSubscriptionsAsync(McpSubscriptions held, CancellationToken stoppingToken)
    {
        metrics.ObserveMcpSubscriptions(() => held.Count);
        using var ticker = new PeriodicTimer(SubscriptionSync, time);
        try
        {
            do
            {
                held.Sync(health.IsLeader ? schedule.Announcing() : [], stoppingToken);
            }
            while (await ticker.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <summary>Each list_changed makes its entry due (the schedule spaces and coalesces them).</summary>
    private async Task NotificationsAsync(McpSubscriptions held, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var endpoint in held.Changed.ReadAllAsync(stoppingToken))
            {
                metrics.McpNotification(schedule.Notified(endpoint) ? "scheduled" : "ignored");
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private async Task RunScheduleAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = schedule.Changed;
                var (due, next) = schedule.TakeDue();
                if (due.Count > 0)
                {
                    await RefreshAsync(due, stoppingToken);
                    continue;
                }

                var wait = next is { } at ? at - time.GetUtcNow() : IdleLook;
                if (wait > TimeSpan.Zero)
                {
                    await Task.WhenAny(Task.Delay(wait < IdleLook ? wait : IdleLook, time, stoppingToken), changed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RefreshAsync(IReadOnlyList<Domain.DiscoveredAgent> due, CancellationToken stoppingToken)
    {
        if (!health.IsLeader)
        {
            // Only the leader writes; its own schedule has these entries if they are still due.
            foreach (var agent in due)
            {
                schedule.Forget(agent.Endpoint);
            }

            metrics.McpRefresh("follower", due.Count);
            return;
        }

        try
        {
            TargetedReport? report;
            using (await gate.EnterAsync(stoppingToken))
            {
                report = await reconciler.RefreshAsync(due, stoppingToken);
            }

            metrics.McpRefresh(report is null ? "skipped" : "done", due.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            foreach (var agent in due)
            {
                schedule.Forget(agent.Endpoint);
            }

            metrics.McpRefresh("failed", due.Count);
            Log.McpRefreshFailed(logger, due.Count, e.Message, e);
        }
    }
}
