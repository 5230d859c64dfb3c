using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// <c>--events</c>: seconds, not minutes. Watches the announcing Services (<see cref="ServiceWatch"/>) and,
/// on the leader only, reconciles the changed Services' agents at once — source entry, crawl, plan,
/// apply — between the timer's full cycles, which stay the backbone. Changes are coalesced: the first after
/// a quiet spell is handled after a short debounce, then at most one targeted reconcile per
/// <c>minEventSyncInterval</c> (everything that arrived meanwhile goes together); a burst larger than
/// <c>eventBurstThreshold</c>, or a change that cannot be judged alone, brings the next full cycle forward
/// instead. Full cycles and targeted reconciles take turns (<see cref="CycleGate"/>).
/// </summary>
internal sealed class EventTrigger(
    ServiceWatch watch,
    IReconciler reconciler,
    CycleGate gate,
    OperatorHealth health,
    Metrics metrics,
    TimeProvider time,
    IOptions<OperatorOptions> options,
    ILogger<EventTrigger> logger) : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private readonly OperatorOptions options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Events || options.Once)
        {
            return;
        }

        var watching = Task.WhenAll(watch.RunAsync(stoppingToken), WatchStaticFileAsync(stoppingToken));
        var last = DateTimeOffset.MinValue;
        try
        {
            while (await watch.Changes.WaitToReadAsync(stoppingToken))
            {
                var now = time.GetUtcNow();
                var wait = last + options.MinEventSyncInterval - now;
                await Task.Delay(wait > Debounce ? wait : Debounce, time, stoppingToken);
                var batch = new List<ServiceChange>();
                while (watch.Changes.TryRead(out var change))
                {
                    batch.Add(change);
                }

                var services = batch.DistinctBy(c => (c.Namespace, c.Name)).ToList();
                metrics.EventsReceived(batch.Count, batch.Count - services.Count);
                last = time.GetUtcNow();
                await HandleAsync(batch, services, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await watching;
    }

    /// <summary>
    /// The static sources file, looked at every second: a change (or the file appearing or going) brings the
    /// next full cycle forward — the static source is read whole, as every cycle reads it.
    /// </summary>
    private async Task WatchStaticFileAsync(CancellationToken stoppingToken)
    {
        static DateTime? Stamp(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;
        var seen = Stamp(options.StaticSourcesPath);
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await ticker.WaitForNextTickAsync(stoppingToken))
            {
                var now = Stamp(options.StaticSourcesPath);
                if (now != seen)
                {
                    seen = now;
                    metrics.EventsReceived(1, 0);
                    if (health.IsLeader)
                    {
                        metrics.TargetedReconcile("full_cycle");
                        gate.RequestCycle();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private async Task HandleAsync(List<ServiceChange> batch, List<ServiceChange> services, CancellationToken stoppingToken)
    {
        if (!health.IsLeader)
        {
            // Only the leader writes; a follower's watch keeps it ready to react the moment it leads.
            metrics.TargetedReconcile("follower");
            return;
        }

        if (services.Count > options.EventBurstThreshold)
        {
            Log.EventBurst(logger, services.Count);
            metrics.TargetedReconcile("burst");
            gate.RequestCycle();
            return;
        }

        TargetedReport? report;
        try
        {
            using (await gate.EnterAsync(stoppingToken))
            {
                report = await reconciler.ReconcileServicesAsync(services, stoppingToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Not the backbone: the next full cycle covers whatever this could not do.
            Log.CycleFailed(logger, $"targeted reconcile of {services.Count} Service(s): {e.Message}", e);
            report = null;
        }

        if (report is null)
        {
            metrics.TargetedReconcile("full_cycle");
            gate.RequestCycle();
            return;
        }

        metrics.TargetedReconcile("done");
        if (report.Counts.Writes > 0)
        {
            var written = time.GetUtcNow();
            foreach (var change in batch)
            {
                metrics.EventToWrite(written - change.At);
            }
        }
    }
}
