using System.Runtime.CompilerServices;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// One timer per tick interval for every watcher of both watch protocols (SSE heartbeats, Kubernetes
/// BOOKMARKs): at each tick every registered watcher is nudged through its own queue, so a held watcher
/// owns no timer and no pending timer task — a thousand watchers cost one timer, not a thousand.
/// </summary>
internal sealed class WatchTicks
{
    // Keyed by clock, then interval: tests run operators with clocks of their own side by side.
    private static readonly ConditionalWeakTable<TimeProvider, Dictionary<TimeSpan, WatchTicks>> ByClock = [];

    private readonly Lock gate = new();
    private readonly HashSet<Subscriber> watchers = [];

    // Held here, so the timer lives as long as the clock it runs on.
    private readonly ITimer timer;

    private WatchTicks(TimeSpan every, TimeProvider time) => timer = time.CreateTimer(static state => ((WatchTicks)state!).Tick(), this, every, every);

    /// <summary>The ticks every <paramref name="every"/> on <paramref name="time"/>, shared by all who ask for them.</summary>
    public static WatchTicks For(TimeSpan every, TimeProvider time)
    {
        var byInterval = ByClock.GetValue(time, static _ => []);
        lock (byInterval)
        {
            if (!byInterval.TryGetValue(every, out var ticks))
            {
                byInterval[every] = ticks = new WatchTicks(every, time);
            }

            return ticks;
        }
    }

    /// <summary>Watchers nudged at each tick now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return watchers.Count;
            }
        }
    }

    /// <summary>Nudges <paramref name="watcher"/> at every tick until the returned registration is disposed.</summary>
    public Registration Add(Subscriber watcher)
    {
        lock (gate)
        {
            watchers.Add(watcher);
        }

        return new Registration(this, watcher);
    }

    private void Remove(Subscriber watcher)
    {
        lock (gate)
        {
            watchers.Remove(watcher);
        }
    }

    private void Tick()
    {
        // A nudge never blocks (a full queue skips the tick: that watcher has events to write anyway).
        lock (gate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Nudge();
            }
        }
    }

    public readonly struct Registration(WatchTicks ticks, Subscriber watcher) : IDisposable
    {
        public void Dispose() => ticks.Remove(watcher);
    }
}
