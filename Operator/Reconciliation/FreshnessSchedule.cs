using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// Which MCP entries are to be introspected again before the next full cycle, and when. Every introspection
/// (a cycle's, a targeted reconcile's, a refresh's) sets the entry's next one a TTL later — the shortest
/// <c>ttlMs</c> of its lists, clamped to [<c>mcpMinRefresh</c>, <c>pollInterval</c>]; none given means the poll
/// interval, which the cycle covers, so nothing is scheduled. A <c>list_changed</c> notification makes the
/// entry due at once, but never sooner than <see cref="NotificationSpacing"/> after its last introspection, and
/// one arriving while a refresh is in flight is folded into one more: at most one introspection per TTL or
/// notification, however many arrive. Only entries introspected by this replica are known; a card-declared
/// tool list is the card's, re-read every cycle.
/// </summary>
internal sealed class FreshnessSchedule(ReconcileOptions options, TimeProvider time)
{
    /// <summary>The least time between two notification-driven introspections of one entry.</summary>
    public static readonly TimeSpan NotificationSpacing = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private readonly Dictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One entry: the agent as last discovered, what its server said, and when it is next due (null: the cycle's).</summary>
    private sealed record Slot(DiscoveredAgent Agent, McpListHints Hints, DateTimeOffset Introspected, DateTimeOffset? Due, bool InFlight, bool Notified);

    /// <summary>Completes when an entry became due sooner than before; the loop then looks again.</summary>
    public Task Changed
    {
        get
        {
            lock (gate)
            {
                return changed.Task;
            }
        }
    }

    /// <summary>The refresh interval a TTL asks for, within [<c>mcpMinRefresh</c>, <c>pollInterval</c>].</summary>
    public TimeSpan RefreshAfter(TimeSpan? ttl)
    {
        var poll = options.PollInterval;
        if (ttl is not { } t || t <= TimeSpan.Zero || t >= poll)
        {
            return poll;
        }

        return t < options.McpMinRefresh ? (options.McpMinRefresh < poll ? options.McpMinRefresh : poll) : t;
    }

    /// <summary>The entry was just introspected; without hints (a card listed its tools, the server failed) it is the cycle's.</summary>
    public void Introspected(DiscoveredAgent agent, McpListHints? hints)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (hints is null)
            {
                slots.Remove(agent.Endpoint);
                return;
            }

            var after = RefreshAfter(hints.Ttl);
            DateTimeOffset? due = after < options.PollInterval ? now + after : null;
            if (slots.TryGetValue(agent.Endpoint, out var slot) && slot.Notified)
            {
                // A notification came while this introspection ran: it may not have seen the change.
                due = now + NotificationSpacing;
            }

            slots[agent.Endpoint] = new Slot(agent, hints, now, due, InFlight: false, Notified: false);
            if (due is not null)
            {
                Signal();
            }
        }
    }

    /// <summary>A server said one of its lists changed: the entry is due now (spaced, coalesced). False: not an entry we know.</summary>
    public bool Notified(string endpoint)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (!slots.TryGetValue(endpoint, out var slot))
            {
                return false;
            }

            if (slot.InFlight)
            {
                slots[endpoint] = slot with { Notified = true };
                return true;
            }

            var due = slot.Introspected + NotificationSpacing > now ? slot.Introspected + NotificationSpacing : now;
            if (slot.Due is null || slot.Due > due)
            {
                slots[endpoint] = slot with { Due = due };
                Signal();
            }

            return true;
        }
    }

    /// <summary>The entries due by now, marked in flight, and when the next one falls due (null: none is scheduled).</summary>
    public (IReadOnlyList<DiscoveredAgent> Due, DateTimeOffset? Next) TakeDue()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            var due = slots.Values.Where(s => !s.InFlight && s.Due <= now).ToList();
            foreach (var slot in due)
            {
                slots[slot.Agent.Endpoint] = slot with { InFlight = true, Due = null };
            }

            var next = slots.Values.Where(s => !s.InFlight && s.Due is not null).Select(s => s.Due).Min();
            return ([.. due.Select(s => s.Agent)], next);
        }
    }

    /// <summary>A refresh of the entry ended without an introspection (deferred, failed, no longer its agent): the cycle has it.</summary>
    public void Forget(string endpoint)
    {
        lock (gate)
        {
            slots.Remove(endpoint);
        }
    }

    /// <summary>After a full cycle: only the endpoints it still discovered stay scheduled.</summary>
    public void Retain(IReadOnlySet<string> endpoints)
    {
        lock (gate)
        {
            foreach (var gone in slots.Keys.Where(e => !endpoints.Contains(e)).ToList())
            {
                slots.Remove(gone);
            }
        }
    }

    /// <summary>The entries whose servers announce <c>list_changed</c>: what a subscriber may listen to.</summary>
    public IReadOnlyList<(DiscoveredAgent Agent, McpListHints Hints)> Announcing()
    {
        lock (gate)
        {
            return [.. slots.Values.Where(s => s.Hints.ListChanged).OrderBy(s => s.Agent.Endpoint, StringComparer.Ordinal).Select(s => (s.Agent, s.Hints))];
        }
    }

    private void Signal()
    {
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
