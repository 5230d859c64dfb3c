using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The push entries that name a Lease, as stored, with what their liveness was last derived as. It makes a
/// Lease's cost proportional to what changed: a Lease event re-derives only the entries naming that Lease,
/// the timer only the entries whose liveness can have changed by now (a queue by that time), and a
/// re-derivation that comes to the same state reuses the entry already shown — no serialization, nothing
/// published. Not thread-safe: the cache uses it under its lock.
/// </summary>
internal sealed class LeasedEntries
{
    private readonly Dictionary<string, Tracked> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> byLease = new(StringComparer.Ordinal);

    // Lazily cleaned: an item counts only while it matches its entry's Due.
    private readonly PriorityQueue<string, DateTimeOffset> due = new();

    /// <summary>One entry's bookkeeping. <see cref="Key"/> is what the shown entry was derived from.</summary>
    internal sealed class Tracked(StoredEntry raw, string leaseName)
    {
        public StoredEntry Raw { get; set; } = raw;
        public string LeaseName { get; set; } = leaseName;
        public Liveness State { get; set; } = Liveness.None;
        public DateTimeOffset? MissingSince { get; set; }
        public DateTimeOffset? Due { get; set; }
        public Derivation? Key { get; set; }
        public StoredEntry? Shown { get; set; }
    }

    /// <summary>Everything a shown entry depends on besides the stored entry itself.</summary>
    internal sealed record Derivation(Liveness State, DateTimeOffset? Since, DateTimeOffset LeaseSince, bool Dropped);

    public IEnumerable<string> Names => entries.Keys;

    public IEnumerable<Liveness> States => entries.Values.Select(t => t.State);

    public bool Contains(string name) => entries.ContainsKey(name);

    public StoredEntry? Raw(string name) => entries.GetValueOrDefault(name)?.Raw;

    /// <summary>The bookkeeping of a stored entry naming <paramref name="leaseName"/>; a changed entry forgets what was derived from the old one.</summary>
    public Tracked Track(StoredEntry raw, string leaseName)
    {
        if (!entries.TryGetValue(raw.Name, out var tracked))
        {
            tracked = entries[raw.Name] = new Tracked(raw, leaseName);
            Index(raw.Name, leaseName);
        }
        else if (!ReferenceEquals(tracked.Raw, raw) || tracked.LeaseName != leaseName)
        {
            if (tracked.LeaseName != leaseName)
            {
                Unindex(raw.Name, tracked.LeaseName);
                Index(raw.Name, leaseName);
                tracked.MissingSince = null;
            }

            tracked.Raw = raw;
            tracked.LeaseName = leaseName;
            tracked.Key = null;
            tracked.Shown = null;
        }

        return tracked;
    }

    public void Forget(string name)
    {
        if (entries.Remove(name, out var tracked))
        {
            Unindex(name, tracked.LeaseName);
        }
    }

    /// <summary>The stored entries naming <paramref name="leaseName"/>; every one for null.</summary>
    public List<StoredEntry> Naming(string? leaseName) => leaseName is null
        ? [.. entries.Values.Select(t => t.Raw)]
        : [.. (byLease.GetValueOrDefault(leaseName) ?? []).Select(name => entries[name].Raw)];

    /// <summary>Looks at the entry again at <paramref name="at"/> (null: only when an event says so).</summary>
    public void Schedule(string name, DateTimeOffset? at)
    {
        if (!entries.TryGetValue(name, out var tracked) || tracked.Due == at)
        {
            return;
        }

        tracked.Due = at;
        if (at is { } when)
        {
            due.Enqueue(name, when);
        }
    }

    /// <summary>The stored entries whose liveness can have changed by <paramref name="now"/>, each taken off the queue.</summary>
    public List<StoredEntry> TakeDue(DateTimeOffset now)
    {
        var taken = new List<StoredEntry>();
        while (due.TryPeek(out var name, out var when) && when <= now)
        {
            due.Dequeue();
            if (entries.TryGetValue(name, out var tracked) && tracked.Due == when)
            {
                tracked.Due = null;
                taken.Add(tracked.Raw);
            }
        }

        // Stale items (rescheduled or forgotten entries) are dropped as they surface; a queue far larger than
        // the entries is rebuilt so that it cannot grow with renewals.
        if (due.Count > 2 * entries.Count + 64)
        {
            due.Clear();
            foreach (var (key, tracked) in entries)
            {
                if (tracked.Due is { } at)
                {
                    due.Enqueue(key, at);
                }
            }
        }

        return taken;
    }

    private void Index(string name, string leaseName)
    {
        if (!byLease.TryGetValue(leaseName, out var names))
        {
            names = byLease[leaseName] = new HashSet<string>(StringComparer.Ordinal);
        }

        names.Add(name);
    }

    private void Unindex(string name, string leaseName)
    {
        if (byLease.TryGetValue(leaseName, out var names) && names.Remove(name) && names.Count == 0)
        {
            byLease.Remove(leaseName);
        }
    }
}
