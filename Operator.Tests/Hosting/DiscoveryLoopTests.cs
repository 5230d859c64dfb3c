using AgentLens.Operator.Catalog;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace AgentLens.Operator.Tests.Hosting;

[TestFixture]
public sealed class DiscoveryLoopTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly WatchedClock clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    /// <summary>A fake clock that tells when the loop has started waiting on it (a timer was created).</summary>
    private sealed class WatchedClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int timers;

        public int Timers => Volatile.Read(ref timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref timers);
            return timer;
        }
    }
    private SemaphoreSlim cycleStarted = null!;
    private Mock<IReconciler> reconciler = null!;
    private OperatorHealth health = null!;
    private Func<Task<CycleReport>> cycle = null!;

    private static CycleReport Report(string result = "success") => new(result, TimeSpan.Zero, [], new CycleCounts(), null);

    [SetUp]
    public void SetUp()
    {
        cycleStarted = new SemaphoreSlim(0);
        cycle = () => Task.FromResult(Report());
        reconciler = new Mock<IReconciler>();
        reconciler.Setup(r => r.RunOnceAsync(It.IsAny<CancellationToken>())).Returns(() =>
        {
            cycleStarted.Release();
            return cycle();
        });
        health = new OperatorHealth(clock);
    }

    [TearDown]
    public void TearDown() => cycleStarted.Dispose();

    private DiscoveryLoop Loop(Action<OperatorOptions>? configure = null, IHostApplicationLifetime? lifetime = null, CycleGate? gate = null)
    {
        var options = new OperatorOptions { PollInterval = Interval, LeaderElection = { Enabled = false } };
        configure?.Invoke(options);
        return new DiscoveryLoop(reconciler.Object, Mock.Of<IKubernetes>(), health, TestMeterFactory.NewMetrics(), clock,
            lifetime ?? Mock.Of<IHostApplicationLifetime>(), Options.Create(options), new StoreNamespace("ns"), NullLogger<DiscoveryLoop>.Instance, gate ?? new CycleGate());
    }

    private async Task<bool> NextCycleAsync() => await cycleStarted.WaitAsync(Patience);

    /// <summary>
    /// Waits until the loop has finished its cycle and is waiting on the clock for the next tick, so that
    /// advancing the fake clock lands on its timer and not before the timer exists.
    /// </summary>
    private async Task LoopIdleAsync(int timersBefore)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (clock.Timers <= timersBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.That(clock.Timers, Is.GreaterThan(timersBefore), "the loop waits on the clock");
    }

    private async Task<bool> NoCycleAsync() => !await cycleStarted.WaitAsync(TimeSpan.FromMilliseconds(300));

    [Test]
    public async Task FirstCycleRunsAtStartUp_ThenOneEveryPollInterval()
    {
        using var loop = Loop();
        var timers = clock.Timers;
        await loop.StartAsync(CancellationToken.None);

        Assert.That(await NextCycleAsync(), Is.True, "a cycle at start-up");
        await LoopIdleAsync(timers);
        clock.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.That(await NoCycleAsync(), Is.True, "none before the interval has passed");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await NextCycleAsync(), Is.True, "one when it has");

        await loop.StopAsync(CancellationToken.None);
        reconciler.Verify(r => r.RunOnceAsync(It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Test]
    public async Task AFloodOfEarlyCycleRequests_BringsAtMostOneEarlyCyclePerSpacing()
    {
        using var gate = new CycleGate();
        using var loop = Loop(o => o.PollInterval = TimeSpan.FromSeconds(60), gate: gate);
        await loop.StartAsync(CancellationToken.None);
        Assert.That(await NextCycleAsync(), Is.True, "a cycle at start-up");

        // A tenant re-annotating a Service every 0.7 s for 24 s, each change asking for a full cycle.
        var cycles = 1;
        for (var step = 0; step < 35; step++)
        {
            gate.RequestCycle();
            if (await cycleStarted.WaitAsync(TimeSpan.FromMilliseconds(50)))
            {
                cycles++;
            }

            clock.Advance(TimeSpan.FromSeconds(0.7));
        }

        await loop.StopAsync(CancellationToken.None);
        // Spacing max(60s/4, 15s) = 15s: the start-up cycle and at most one early cycle per 15 s of the 24 s.
        Assert.That(cycles, Is.InRange(2, 3), "events still bring a cycle forward, but not back to back");
    }

    [Test]
    public void TheEarlyCycleSpacing_DefaultsToAQuarterOfThePollInterval_WithAFloor()
    {
        Assert.That(new OperatorOptions { PollInterval = TimeSpan.FromMinutes(5) }.EarlyCycleSpacing, Is.EqualTo(TimeSpan.FromSeconds(75)));
        Assert.That(new OperatorOptions { PollInterval = TimeSpan.FromSeconds(20) }.EarlyCycleSpacing, Is.EqualTo(TimeSpan.FromSeconds(15)));
        Assert.That(new OperatorOptions { MinEarlyCycleInterval = TimeSpan.FromSeconds(2) }.EarlyCycleSpacing, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task CycleLongerThanTheInterval_NeverOverlaps_AndTheNextStartsRightAfter()
    {
        var slow = new TaskCompletionSource<CycleReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        cycle = () => slow.Task;
        using var loop = Loop();
        await loop.StartAsync(CancellationToken.None);
        Assert.That(await NextCycleAsync(), Is.True);

        clock.Advance(Interval * 2.5);
        Assert.That(await NoCycleAsync(), Is.True, "no second cycle while the first runs");

        cycle = () => Task.FromResult(Report());
        slow.SetResult(Report());
        Assert.That(await NextCycleAsync(), Is.True, "the next starts at once, without waiting for a tick");

        await loop.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task ACycleThatThrows_DoesNotEndTheLoop()
    {
        cycle = () => throw new InvalidOperationException("boom");
        using var loop = Loop();
        var timers = clock.Timers;
        await loop.StartAsync(CancellationToken.None);
        Assert.That(await NextCycleAsync(), Is.True);
        await LoopIdleAsync(timers);

        cycle = () => Task.FromResult(Report());
        clock.Advance(Interval);

        Assert.That(await NextCycleAsync(), Is.True);
        await loop.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task Once_RunsOneCycle_SetsTheExitCode_AndStopsTheHost()
    {
        cycle = () => Task.FromResult(new CycleReport("partial", TimeSpan.Zero, [new SourceStatus("kubernetes", false, 0, "Forbidden", "no")], new CycleCounts(), null));
        var lifetime = new Mock<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.Setup(l => l.StopApplication()).Callback(stopped.SetResult);
        using var loop = Loop(o => o.Once = true, lifetime.Object);
        var exitCode = Environment.ExitCode;
        try
        {
            await loop.StartAsync(CancellationToken.None);
            await stopped.Task.WaitAsync(Patience);

            Assert.That(Environment.ExitCode, Is.EqualTo(DiscoveryLoop.ExitSourcesFailed));
            reconciler.Verify(r => r.RunOnceAsync(It.IsAny<CancellationToken>()), Times.Once);
        }
        finally
        {
            Environment.ExitCode = exitCode;
        }
    }

    [Test]
    public void Health_IsStuckOnlyForALeaderWithoutAFinishedCycle()
    {
        Assert.That(health.IsStuck(TimeSpan.FromMinutes(16)), Is.False, "a follower is never stuck");

        health.Leading(true);
        clock.Advance(TimeSpan.FromMinutes(10));
        health.CycleFinished();
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.That(health.IsStuck(TimeSpan.FromMinutes(16)), Is.False);

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That(health.IsStuck(TimeSpan.FromMinutes(16)), Is.True);
    }
}
