using AgentLens.Operator.Catalog;
using AgentLens.Operator.Reconciliation;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// The timer-driven loop: the first cycle at start-up, then one every <c>pollInterval</c> on the injected
/// <see cref="TimeProvider"/>. Cycles never overlap; a cycle longer than the interval starts the next right
/// after it and counts the ticks it missed. One bad cycle never ends the loop. With leader election only
/// the holder of the Lease runs cycles; with <c>--once</c> it runs one cycle and stops the process with
/// exit code 0 (every source succeeded) or 1.
/// </summary>
internal sealed class DiscoveryLoop(
    IReconciler reconciler,
    IKubernetes client,
    OperatorHealth health,
    Metrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IOptions<OperatorOptions> options,
    StoreNamespace storeNamespace,
    ILogger<DiscoveryLoop> logger,
    CycleGate gate,
    Sources.ServiceWatch? serviceWatch = null) : BackgroundService
{
    public const int ExitSourcesFailed = 1;
    private readonly OperatorOptions options = options.Value;
    private readonly string identity = $"{Environment.MachineName}_{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Yield first, so that host start-up (probes, metrics) is not held up by the first cycle.
        await Task.Yield();
        if (options.Once)
        {
            await RunOnceAndStopAsync(stoppingToken);
            return;
        }

        if (!options.LeaderElection.Enabled)
        {
            Lead(true);
            await RunCyclesAsync(stoppingToken);
            return;
        }

        await RunAsCandidateAsync(stoppingToken);
    }

    private async Task RunOnceAndStopAsync(CancellationToken stoppingToken)
    {
        try
        {
            var report = await reconciler.RunOnceAsync(stoppingToken);
            await reconciler.WriteStatusAsync(report, null, stoppingToken);
            Environment.ExitCode = report.AllSourcesSucceeded ? 0 : ExitSourcesFailed;
            if (!report.AllSourcesSucceeded)
            {
                var reasons = report.Error ?? string.Join("; ", report.Sources.Where(s => !s.Succeeded).Select(s => $"{s.Name}: {s.Reason}: {s.Message}"));
                await Console.Error.WriteLineAsync($"agentlens-operator: cycle {report.Result}: {reasons}");
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            Environment.ExitCode = ExitSourcesFailed;
            await Console.Error.WriteLineAsync($"agentlens-operator: cycle failed: {e.Message}");
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunAsCandidateAsync(CancellationToken stoppingToken)
    {
        var le = options.LeaderElection;
        var config = new LeaderElectionConfig(new LeaseLock(client, storeNamespace.Name, le.LeaseName, identity))
        {
            LeaseDuration = le.LeaseDuration,
            RenewDeadline = le.RenewDeadline,
            RetryPeriod = le.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        elector.OnNewLeader += leader => Log.NewLeader(logger, leader, leader == identity);
        elector.OnError += e => Log.LeaderElectionError(logger, e.Message);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Task? cycles = null;
            void Started()
            {
                Lead(true);
                cycles = RunCyclesAsync(leading.Token);
            }

            elector.OnStartedLeading += Started;
            try
            {
                await elector.RunUntilLeadershipLostAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception e)
            {
                Log.LeaderElectionError(logger, e.Message);
            }
            finally
            {
                elector.OnStartedLeading -= Started;
                Lead(false);
                await leading.CancelAsync();
                if (cycles is not null)
                {
                    await cycles;
                }
            }

            try
            {
                // Leadership lost: stand again after a retry period, as a follower would.
                await Task.Delay(le.RetryPeriod, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task RunCyclesAsync(CancellationToken cancellationToken)
    {
        var interval = options.PollInterval;
        if (options.Events && serviceWatch is not null)
        {
            // With events, the first cycle lists after the watch's own first list, so no change falls between.
            await Task.WhenAny(serviceWatch.Synced, Task.Delay(TimeSpan.FromSeconds(10), time, cancellationToken));
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            try
            {
                using (await gate.EnterAsync(cancellationToken))
                {
                    gate.CycleStarting();
                    var report = await reconciler.RunOnceAsync(cancellationToken);
                    await reconciler.WriteStatusAsync(report, health.IsLeader ? identity : null, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // One bad cycle never ends the loop.
                Log.CycleFailed(logger, e.Message, e);
                metrics.Cycle("failure", time.GetUtcNow() - started, null);
            }

            health.CycleFinished();
            var now = time.GetUtcNow();
            var next = started + interval;
            if (now >= next)
            {
                var missed = (long)((now - started).Ticks / interval.Ticks);
                metrics.MissedTicks(missed);
                Log.CycleOverran(logger, (now - started).TotalSeconds, interval, missed);
                continue;
            }

            try
            {
                // The timer is the backbone; the event trigger may only bring the next cycle forward, and no
                // sooner than the early-cycle spacing after this one started (a flood of events, a tenant
                // re-annotating in a loop, cannot make full cycles run back to back).
                var tick = Task.Delay(next - now, time, cancellationToken);
                if (await Task.WhenAny(tick, gate.EarlyCycleRequested) != tick)
                {
                    var earliest = started + options.EarlyCycleSpacing;
                    var at = time.GetUtcNow();
                    if (earliest >= next)
                    {
                        await tick;
                    }
                    else if (at < earliest)
                    {
                        metrics.EarlyCycleDeferred();
                        await Task.Delay(earliest - at, time, cancellationToken);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Lead(bool isLeader)
    {
        health.Leading(isLeader);
        metrics.Leader(isLeader);
    }
}
