namespace AgentLens.Operator.Catalog;

/// <summary>Why an Event was not written: the metric's <c>limit</c> label.</summary>
internal enum EventDrop
{
    /// <summary>The same reason and message on the same object within the per-object interval.</summary>
    Repeat,

    /// <summary>The object's namespace used up its own budget.</summary>
    Namespace,

    /// <summary>The operator's overall budget is used up.</summary>
    Global,
}

/// <summary>
/// Decides which Events are written — a pure function of its calls and the clock, unit-tested on a fake one.
/// <list type="bullet">
/// <item>A repeat (same object, reason and message as the last one written for that object and reason) is
/// dropped within <see cref="PerObjectInterval"/>; an Event whose message differs is never dropped for being
/// soon, so a second, different redefinition is told.</item>
/// <item>Each namespace has its own token bucket (<see cref="PerNamespacePerMinute"/>, refilled evenly over a
/// minute), so one tenant's flood of bad Services cannot use up another's budget.</item>
/// <item>An overall bucket (<see cref="GlobalPerMinute"/>) bounds what the API server receives; it is 25 times
/// one namespace's, so one namespace alone never reaches it.</item>
/// </list>
/// State is bounded: per-object entries exist only for Events written (at most the overall budget per
/// interval) and expire after the interval; a namespace's bucket is forgotten once it has refilled.
/// </summary>
internal sealed class EventBudget(TimeProvider time)
{
    public static readonly TimeSpan PerObjectInterval = TimeSpan.FromMinutes(5);
    public const int PerNamespacePerMinute = 20;
    public const int GlobalPerMinute = 500;
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private readonly Dictionary<(string Kind, string Namespace, string Name, string Reason), (string Message, DateTimeOffset At)> lastWritten = [];
    private readonly Dictionary<string, Bucket> namespaces = new(StringComparer.Ordinal);
    private readonly Bucket global = new(GlobalPerMinute, DateTimeOffset.MinValue);
    private DateTimeOffset lastSweep = DateTimeOffset.MinValue;

    /// <summary>Per-object and per-namespace entries held (for tests of the memory bound).</summary>
    public int Tracked
    {
        get
        {
            lock (gate)
            {
                return lastWritten.Count + namespaces.Count;
            }
        }
    }

    /// <summary>Null when the Event may be written (its budget is then spent), else why not.</summary>
    public EventDrop? Admit(EventTarget target, string reason, string message)
    {
        var now = time.GetUtcNow();
        var key = (target.Kind, target.Namespace, target.Name, reason);
        lock (gate)
        {
            Sweep(now);
            if (lastWritten.TryGetValue(key, out var last) && last.Message == message && now - last.At < PerObjectInterval)
            {
                return EventDrop.Repeat;
            }

            if (!namespaces.TryGetValue(target.Namespace, out var bucket))
            {
                bucket = new Bucket(PerNamespacePerMinute, now);
                namespaces[target.Namespace] = bucket;
            }

            if (!bucket.Has(now))
            {
                return EventDrop.Namespace;
            }

            if (!global.Has(now))
            {
                return EventDrop.Global;
            }

            bucket.Take();
            global.Take();
            lastWritten[key] = (message, now);
            return null;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        if (now - lastSweep < SweepEvery)
        {
            return;
        }

        lastSweep = now;
        foreach (var (key, last) in lastWritten.ToList())
        {
            if (now - last.At >= PerObjectInterval)
            {
                lastWritten.Remove(key);
            }
        }

        foreach (var (ns, bucket) in namespaces.ToList())
        {
            if (bucket.IsFull(now))
            {
                namespaces.Remove(ns);
            }
        }
    }

    /// <summary>A token bucket of <c>capacity</c> tokens, refilled at <c>capacity</c> per minute.</summary>
    private sealed class Bucket(int capacity, DateTimeOffset at)
    {
        private double tokens = capacity;
        private DateTimeOffset at = at;

        public bool Has(DateTimeOffset now)
        {
            Refill(now);
            return tokens >= 1;
        }

        public void Take() => tokens -= 1;

        public bool IsFull(DateTimeOffset now)
        {
            Refill(now);
            return tokens >= capacity;
        }

        private void Refill(DateTimeOffset now)
        {
            if (now > at)
            {
                tokens = at == DateTimeOffset.MinValue ? capacity : Math.Min(capacity, tokens + ((now - at).TotalMinutes * capacity));
                at = now;
            }
        }
    }
}
