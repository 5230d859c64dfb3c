using AgentLens.Operator.Api;
using AgentLens.Operator.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Api;

/// <summary>
/// The one timer per interval that every held watcher shares: a tick nudges each registered watcher through
/// its own queue, never counts as falling behind, and stops reaching a watcher once it has left.
/// </summary>
[TestFixture]
public sealed class WatchTicksTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    private static Subscriber Watcher(int buffer = 16) => new(buffer, _ => { });

    private static int Ticks(Subscriber watcher)
    {
        var ticks = 0;
        while (watcher.Events.TryRead(out var e))
        {
            ticks += ReferenceEquals(e, Subscriber.Tick) ? 1 : 0;
        }

        return ticks;
    }

    [Test]
    public void EachTick_NudgesEveryRegisteredWatcher_Once()
    {
        var clock = new FakeTimeProvider();
        using var a = Watcher();
        using var b = Watcher();
        var ticks = WatchTicks.For(Every, clock);
        using var ra = ticks.Add(a);
        using var rb = ticks.Add(b);

        clock.Advance(Every - TimeSpan.FromSeconds(1));
        var before = (Ticks(a), Ticks(b));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(before, Is.EqualTo((0, 0)), "nothing before the interval");
        Assert.That((Ticks(a), Ticks(b)), Is.EqualTo((1, 1)));
    }

    [Test]
    public void SameClockAndInterval_ShareOneTicker_OtherIntervalsDoNot()
    {
        var clock = new FakeTimeProvider();
        var first = WatchTicks.For(Every, clock);

        var again = WatchTicks.For(Every, clock);
        var longer = WatchTicks.For(Every * 2, clock);
        var otherClock = WatchTicks.For(Every, new FakeTimeProvider());

        Assert.That(again, Is.SameAs(first));
        Assert.That(longer, Is.Not.SameAs(first));
        Assert.That(otherClock, Is.Not.SameAs(first));
    }

    [Test]
    public void WatcherThatLeft_IsNoLongerNudged()
    {
        var clock = new FakeTimeProvider();
        using var watcher = Watcher();
        var ticks = WatchTicks.For(Every, clock);
        var registration = ticks.Add(watcher);

        registration.Dispose();
        clock.Advance(Every);

        Assert.That(Ticks(watcher), Is.Zero);
        Assert.That(ticks.Count, Is.Zero);
    }

    [Test]
    public void TickIntoAFullQueue_IsSkipped_NotAnOverflow()
    {
        var clock = new FakeTimeProvider();
        using var watcher = Watcher(buffer: 16);
        using var registration = WatchTicks.For(Every, clock).Add(watcher);

        for (var i = 0; i < 20; i++)
        {
            clock.Advance(Every);
        }

        Assert.That(watcher.Overflowed.IsCancellationRequested, Is.False);
        Assert.That(Ticks(watcher), Is.EqualTo(16), "the queue holds what fits; the rest of the ticks are dropped");
    }

    [Test]
    public void EndedWatcher_ReadsWhatIsQueuedThenTheEnd()
    {
        var clock = new FakeTimeProvider();
        using var watcher = Watcher();
        using var registration = WatchTicks.For(Every, clock).Add(watcher);
        clock.Advance(Every);

        watcher.End();

        Assert.That(watcher.Events.TryRead(out var queued) && ReferenceEquals(queued, Subscriber.Tick), Is.True);
        Assert.That(watcher.Events.Completion.IsCompleted, Is.True);
    }
}
