using System.Collections.Concurrent;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// The freshness half of the reconciler: MCP entries whose lists' TTL ran out, or whose server said a list
/// changed, introspected again one by one between full cycles — through the same crawler, planner and writer,
/// so an unchanged list is no write and a changed one is one update with its CapabilitiesChanged Event.
/// The agent is the one the last cycle discovered (<see cref="FreshnessSchedule"/> keeps it); it is refreshed
/// only while its stored entry still stands for it — same endpoint, same source, not a push entry — so a
/// refresh never brings back an entry that a cycle or the event trigger has since removed or given away.
/// </summary>
internal sealed partial class Reconciler
{
    public async Task<TargetedReport?> RefreshAsync(IReadOnlyCollection<DiscoveredAgent> agents, CancellationToken cancellationToken)
    {
        if (freshness is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var stored = await ReadCatalogAsync(cancellationToken);
        var push = stored.Where(e => e.IsPush && e.Endpoint is not null).Select(e => e.Endpoint!).ToHashSet(StringComparer.Ordinal);
        var byEndpoint = stored.Where(e => !e.IsPush && e.Endpoint is not null).GroupBy(e => e.Endpoint!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Name, StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var current = new Dictionary<string, DiscoveredAgent>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            if (!push.Contains(agent.Endpoint) && byEndpoint.TryGetValue(agent.Endpoint, out var entry) && StandsFor(entry, agent))
            {
                current[agent.Endpoint] = agent;
            }
            else
            {
                freshness.Forget(agent.Endpoint);
            }
        }

        var crawled = new ConcurrentDictionary<string, CrawlOutcome>(StringComparer.Ordinal);
        PlannedChange? Replan(PlannedChange change, StoredEntry? fresh)
        {
            // Gone or taken over since it was read: the next cycle decides, a refresh never re-creates it.
            if (fresh is null or { IsPush: true } || !current.TryGetValue(change.Endpoint, out var agent) || !StandsFor(fresh, agent))
            {
                return null;
            }

            return planner.Plan(fresh, agent, crawled.GetValueOrDefault(change.Endpoint), false, now);
        }

        var writer = new CatalogWriter(store, Replan, current.GetValueOrDefault, reporter, metrics, logger, options.WriteConcurrency, cancellationToken);
        await crawler.CrawlAsync([.. current.Values.Select(agent => CrawlRequestFor(agent, byEndpoint[agent.Endpoint].Entry))], (result, _) =>
        {
            crawled[result.Agent.Endpoint] = result.Outcome;
            Observe(result);
            if (planner.Plan(byEndpoint[result.Agent.Endpoint], result.Agent, result.Outcome, false, now) is { } change)
            {
                writer.Enqueue(change);
            }

            return Task.CompletedTask;
        }, cancellationToken);
        var (counts, _) = await writer.CompleteAsync();
        lastWrites = lastWrites.Concat(writer.Written).GroupBy(w => w.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        Log.McpRefreshed(logger, current.Count, agents.Count - current.Count, counts.Writes);
        return new TargetedReport(current.Count, counts);
    }

    /// <summary>The entry is this agent's and its source still lists it (a cycle marks one it no longer does NotDiscovered).</summary>
    private static bool StandsFor(StoredEntry entry, DiscoveredAgent agent) =>
        entry.Entry is { } e && e.Spec.Source == agent.Source
        && !e.Status.Conditions.Any(c => c is { Type: ConditionTypes.Discovered, Status: ConditionStatus.False });

    /// <summary>What a crawl of an MCP agent means for its next refresh: a TTL from now, or the next cycle's.</summary>
    private void Observe(CrawlResult result)
    {
        if (freshness is null || result.Agent.Protocol != Protocol.Mcp)
        {
            return;
        }

        if (result.Outcome is CardFetched fetched)
        {
            freshness.Introspected(result.Agent, fetched.McpLists);
        }
        else
        {
            freshness.Forget(result.Agent.Endpoint);
        }
    }
}
