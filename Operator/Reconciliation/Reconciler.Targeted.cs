using System.Collections.Concurrent;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// The event trigger's half of the reconciler: a few changed Services' agents, reconciled alone through the
/// same planner and writer as a full cycle — or handed back (null) when they cannot be judged alone. A change
/// to an endpoint another Service owns is judged here, both Services read afresh and
/// <see cref="EndpointClaims"/> deciding, so a tenant re-announcing another's endpoint costs a targeted
/// reconcile, not a full cycle.
/// </summary>
internal sealed partial class Reconciler
{
    public async Task<TargetedReport?> ReconcileServicesAsync(IReadOnlyCollection<ServiceChange> changed, CancellationToken cancellationToken)
    {
        if (sources.OfType<KubernetesServiceSource>().FirstOrDefault() is not { } kubernetes)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var stored = await ReadCatalogAsync(cancellationToken);
        var byEndpoint = stored.Where(e => e.Endpoint is not null).GroupBy(e => e.Endpoint!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Name, StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var agents = new Dictionary<string, DiscoveredAgent>(StringComparer.Ordinal);
        var gone = new List<StoredEntry>();
        var lost = new List<LostClaim>();
        foreach (var (ns, name) in changed.Select(c => (c.Namespace, c.Name)).Distinct())
        {
            var service = await kubernetes.GetAsync(ns, name, cancellationToken);
            var agent = service is null ? null : kubernetes.TryMap(service);
            var own = stored.Where(e => !e.IsPush && e.Entry?.Spec.Source is { Type: SourceType.Kubernetes } s && s.Namespace == ns && s.Name == name).ToList();
            if (agent is null)
            {
                gone.AddRange(own);
                continue;
            }

            // The Service's entry (if any) must be for this very endpoint; a Service that moved to another
            // endpoint is the full cycle's to judge (its old endpoint may pass to someone else).
            if (own.Any(e => e.Endpoint != agent.Endpoint))
            {
                return null;
            }

            if (byEndpoint.TryGetValue(agent.Endpoint, out var owner) && !own.Contains(owner))
            {
                // Another object's entry holds the endpoint. When that owner is a Service, both are read now and
                // EndpointClaims decides as a full cycle would; anything else (a push entry, the static file)
                // the full cycle decides.
                if (owner.IsPush || owner.Entry?.Spec.Source is not { Type: SourceType.Kubernetes } ownerRef)
                {
                    return null;
                }

                var ownerService = await kubernetes.GetAsync(ownerRef.Namespace ?? string.Empty, ownerRef.Name, cancellationToken);
                var ownerAgent = ownerService is null ? null : kubernetes.TryMap(ownerService);
                if (ownerAgent is not null && ownerAgent.Endpoint != agent.Endpoint)
                {
                    return null;
                }

                var claims = ownerAgent is null ? new[] { agent } : [agent, ownerAgent];
                var (winners, lostClaims) = EndpointClaims.Resolve(claims, new Dictionary<string, StoredEntry>(StringComparer.Ordinal) { [agent.Endpoint] = owner },
                    new HashSet<string>(StringComparer.Ordinal), new HashSet<SourceType>());
                lost.AddRange(lostClaims);
                if (winners.TryGetValue(agent.Endpoint, out var winner))
                {
                    agents[agent.Endpoint] = winner;
                }
                else if (ownerAgent is null)
                {
                    // The owner no longer announces it and this claimant may not take it over: the entry goes
                    // the way of any agent no longer discovered.
                    gone.Add(owner);
                }

                continue;
            }

            agents[agent.Endpoint] = agent;
        }

        await reporter.ReportRefusedAsync([], lost, cancellationToken);

        var crawled = new ConcurrentDictionary<string, CrawlOutcome>(StringComparer.Ordinal);
        PlannedChange? Replan(PlannedChange change, StoredEntry? fresh)
        {
            if (fresh is { IsPush: true })
            {
                return null;
            }

            var agent = agents.GetValueOrDefault(change.Endpoint);
            return planner.Plan(fresh, agent, agent is null ? null : crawled.GetValueOrDefault(change.Endpoint), false, now);
        }

        var writer = new CatalogWriter(store, Replan, agents.GetValueOrDefault, reporter, metrics, logger, options.WriteConcurrency, cancellationToken);
        foreach (var entry in gone)
        {
            if (planner.Plan(entry, null, null, false, now) is { } change)
            {
                writer.Enqueue(change);
            }
        }

        var requests = agents.Values.Select(agent => CrawlRequestFor(agent, byEndpoint.GetValueOrDefault(agent.Endpoint)?.Entry)).ToList();
        await crawler.CrawlAsync(requests, (result, _) =>
        {
            crawled[result.Agent.Endpoint] = result.Outcome;
            Observe(result);
            if (planner.Plan(byEndpoint.GetValueOrDefault(result.Agent.Endpoint), result.Agent, result.Outcome, false, now) is { } change)
            {
                writer.Enqueue(change);
            }

            return Task.CompletedTask;
        }, cancellationToken);
        var (counts, _) = await writer.CompleteAsync();
        lastWrites = lastWrites.Concat(writer.Written).GroupBy(w => w.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        Log.TargetedReconcile(logger, changed.Count, agents.Count + gone.Count, counts.Writes);
        return new TargetedReport(agents.Count + gone.Count, counts);
    }
}
