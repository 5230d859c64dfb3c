using System.Collections.Concurrent;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Reconciliation;

/// <summary>What one cycle did; the loop logs it, --once turns it into an exit code.</summary>
internal sealed record CycleReport(string Result, TimeSpan Duration, IReadOnlyList<SourceStatus> Sources, CycleCounts Counts, string? Error)
{
    public bool AllSourcesSucceeded => Error is null && Sources.All(s => s.Succeeded);
}

/// <summary>Runs discovery cycles; the loop's only dependency on the reconciliation.</summary>
internal interface IReconciler
{
    Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken);

    Task WriteStatusAsync(CycleReport report, string? leader, CancellationToken cancellationToken);

    /// <summary>
    /// Reconciles the agents of a few changed Services only (source entry, crawl, plan, apply). Null when they
    /// cannot be judged alone (an agent's identity moved, another object owns its endpoint): the caller then
    /// runs a full cycle.
    /// </summary>
    Task<TargetedReport?> ReconcileServicesAsync(IReadOnlyCollection<ServiceChange> changed, CancellationToken cancellationToken);

    /// <summary>
    /// Introspects a few MCP agents again (their lists' TTL ran out, or they said a list changed) and writes
    /// what changed, through the same planner and writer. An agent whose entry no longer stands for it is left
    /// to the next full cycle. Null: this reconciler keeps no freshness schedule.
    /// </summary>
    Task<TargetedReport?> RefreshAsync(IReadOnlyCollection<DiscoveredAgent> agents, CancellationToken cancellationToken) => Task.FromResult<TargetedReport?>(null);
}

/// <summary>What a targeted reconcile did.</summary>
internal sealed record TargetedReport(int Agents, CycleCounts Counts);

/// <summary>
/// One discovery cycle, like external-dns's RunOnce:
/// read the stored catalog → run every source (one failing never stops another) → decide who owns each
/// endpoint (<see cref="EndpointClaims"/>; losers get a DuplicateAgent Event) → crawl the cards →
/// plan per endpoint (create / update / mark Offline / delete; <see cref="CatalogPlanner"/>) → apply only
/// what the plan changes (<see cref="CatalogWriter"/>), each write conditional on the resourceVersion read,
/// re-read and re-planned on conflict. It streams: an endpoint is planned the moment its crawl finishes
/// (one that needs no crawl, at once) and its write starts then, so writes overlap the crawl.
/// Push entries win every endpoint they register and are never written. A write the API server refuses
/// for its content is that agent's failure (an Event on its source object, a metric), not the cycle's.
/// </summary>
internal sealed partial class Reconciler(
    ICatalogStore store,
    IEnumerable<IAgentSource> sources,
    ICrawler crawler,
    IEventRecorder events,
    Metrics metrics,
    TimeProvider time,
    ReconcileOptions options,
    ILogger<Reconciler> logger,
    ISignatureVerifier? verifier = null,
    ICatalogReader? cachedCatalog = null,
    FreshnessSchedule? freshness = null) : IReconciler
{
    private static readonly TimeSpan ConsistencyWait = TimeSpan.FromSeconds(2);
    private readonly CatalogPlanner planner = new(options.OfflineAfterFailures, options.Retention, store.Namespace, options.Cluster);
    private readonly CycleReporter reporter = new(events, metrics, store.Namespace, logger);

    // Last-Modified of each endpoint's last good card, for If-Modified-Since. Kept in memory only: it is a
    // validator, not catalog content, and after a restart the ETag in the entry's status still applies.
    private readonly ConcurrentDictionary<string, string> lastModified = new(StringComparer.Ordinal);
    private DateTimeOffset? lastSuccess;
    private IReadOnlyDictionary<string, string?> lastWrites = new Dictionary<string, string?>();

    public async Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var phases = new CyclePhases(time);
        var requestsBefore = metrics.ApiRequestCounts();
        IReadOnlyList<StoredEntry> stored;
        try
        {
            stored = await ReadCatalogAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Finish(started, now, [], new CycleCounts(), $"cannot list the catalog in namespace {store.Namespace}: {e.Message}", e);
        }

        phases.Done("read");
        var outcomes = await Task.WhenAll(sources.Select(s => DiscoverAsync(s, cancellationToken)));
        phases.Done("sources");
        await reporter.ReportPushProblemsAsync(stored, cancellationToken);

        var push = stored.Where(e => e.IsPush && e.Endpoint is not null).Select(e => e.Endpoint!).ToHashSet(StringComparer.Ordinal);
        var managed = stored.Where(e => !e.IsPush && e.Endpoint is not null)
            .GroupBy(e => e.Endpoint!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var failedTypes = outcomes.Where(o => o.Agents is null).Select(o => o.Source.Type).ToHashSet();
        var (desired, lost) = EndpointClaims.Resolve(outcomes.Where(o => o.Agents is not null).SelectMany(o => o.Agents!),
            managed.ToDictionary(kv => kv.Key, kv => kv.Value[0], StringComparer.Ordinal), push, failedTypes);
        await reporter.ReportRefusedAsync(sources, lost, cancellationToken);
        foreach (var (from, to) in EntryMigration.Rekey(managed, desired))
        {
            Log.EntryMigrated(logger, managed[to][0].Name, from, to);
        }

        var crawled = new ConcurrentDictionary<string, CrawlOutcome>(StringComparer.Ordinal);
        bool SourceFailed(StoredEntry? entry) => entry?.Entry is { } e && failedTypes.Contains(e.Spec.Source.Type);
        PlannedChange? Replan(PlannedChange change, StoredEntry? fresh)
        {
            if (fresh is { IsPush: true } || (change is DeleteEntry && fresh is not null && fresh.Endpoint != change.Endpoint))
            {
                return null;
            }

            var agent = desired.GetValueOrDefault(change.Endpoint);
            return planner.Plan(fresh, agent, agent is null ? null : crawled.GetValueOrDefault(change.Endpoint), SourceFailed(fresh), now);
        }

        // The pipeline: every endpoint is planned as soon as what it depends on is known, and its write starts
        // at once, so writes overlap the crawl instead of waiting for its slowest agent.
        var writer = new CatalogWriter(store, Replan, desired.GetValueOrDefault, reporter, metrics, logger, options.WriteConcurrency, cancellationToken);
        var unchanged = 0;
        void Plan(string endpoint, StoredEntry? existing, CrawlOutcome? outcome)
        {
            var agent = desired.GetValueOrDefault(endpoint);
            if (planner.Plan(existing, agent, agent is null ? null : outcome, SourceFailed(existing), now) is { } change)
            {
                writer.Enqueue(change);
            }
            else
            {
                Interlocked.Increment(ref unchanged);
            }
        }

        foreach (var endpoint in managed.Keys.Union(desired.Keys, StringComparer.Ordinal))
        {
            var existing = managed.GetValueOrDefault(endpoint)?[0];
            foreach (var duplicate in managed.GetValueOrDefault(endpoint)?.Skip(1) ?? [])
            {
                writer.Enqueue(new DeleteEntry(endpoint, duplicate, $"a duplicate of {existing!.Name} for the same endpoint"));
            }

            if (push.Contains(endpoint))
            {
                if (existing is not null)
                {
                    writer.Enqueue(new DeleteEntry(endpoint, existing, "a push entry now registers this endpoint"));
                }
            }
            else if (!desired.ContainsKey(endpoint))
            {
                // Not listed (or its source failed): nothing to crawl, planned now.
                Plan(endpoint, existing, null);
            }
        }

        var trustChanged = await CheckTrustRootsAsync(cancellationToken);
        // New trust roots: every card is fetched whole again, so its signatures are judged by them.
        var crawlRequests = desired.Values.Where(a => !push.Contains(a.Endpoint))
            .Select(agent => CrawlRequestFor(agent, trustChanged ? null : managed.GetValueOrDefault(agent.Endpoint)?[0].Entry)).ToList();
        var results = await crawler.CrawlAsync(crawlRequests, (result, _) =>
        {
            Crawled(result);
            return Task.CompletedTask;
        }, cancellationToken);
        // A crawler that reports only at the end (or missed one) is planned here, once per agent.
        foreach (var result in results.Where(r => !crawled.ContainsKey(r.Agent.Endpoint)))
        {
            Crawled(result);
        }

        void Crawled(CrawlResult result)
        {
            var endpoint = result.Agent.Endpoint;
            if (!crawled.TryAdd(endpoint, result.Outcome))
            {
                return;
            }

            if (result.Outcome is CardFetched { LastModified: { } modified })
            {
                lastModified[endpoint] = modified;
            }

            Observe(result);

            Plan(endpoint, managed.GetValueOrDefault(endpoint)?[0], result.Outcome);
        }

        phases.Done("crawl");
        freshness?.Retain(desired.Keys.ToHashSet(StringComparer.Ordinal));
        var (applied, writeError) = await writer.CompleteAsync();
        phases.Done("writes");
        lastWrites = writer.Written;
        var total = reporter.RecordCatalogGauge(stored, [.. writer.Planned]);
        var counts = applied with { Unchanged = unchanged, Entries = total };
        var statuses = outcomes.Select(o => new SourceStatus(o.Source.Name, o.Agents is not null, o.Agents?.Count ?? 0, o.Error?.Reason, o.Error?.Message ?? o.Warning)).ToList();
        var requestsAfter = metrics.ApiRequestCounts();
        Log.CyclePhasesAndRequests(logger, phases.ToString(),
            string.Join(' ', requestsAfter.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value - requestsBefore.GetValueOrDefault(r.Key)}")));
        return Finish(started, now, statuses, counts, writeError, null);
    }

    /// <summary>
    /// A crawl of <paramref name="agent"/>, conditional on the card its entry last read — validators only for
    /// the card they came from: a 304 for another URL would keep the wrong card.
    /// </summary>
    private CrawlRequest CrawlRequestFor(DiscoveredAgent agent, AgentType? previous) =>
        previous is { Status.CardDigest: not null, Spec.CardUrl: { } cardUrl } && agent.CardUrls.Contains(cardUrl)
            ? new CrawlRequest(agent, previous.Status.CardEtag, lastModified.GetValueOrDefault(agent.Endpoint))
            : new CrawlRequest(agent);

    /// <summary>
    /// The stored catalog: from the watch cache the operator keeps for its readers when that cache is synced
    /// and has seen every write of the last cycle (so a steady cycle lists nothing but Services), else one
    /// paginated list.
    /// </summary>
    private async Task<IReadOnlyList<StoredEntry>> ReadCatalogAsync(CancellationToken cancellationToken)
    {
        if (cachedCatalog is not null && await cachedCatalog.TryReadAsync(lastWrites, ConsistencyWait, cancellationToken) is { } cached)
        {
            return cached;
        }

        return await store.ListAsync(cancellationToken);
    }

    private sealed record SourceOutcome(IAgentSource Source, IReadOnlyList<DiscoveredAgent>? Agents, SourceException? Error, string? Warning);

    private async Task<SourceOutcome> DiscoverAsync(IAgentSource source, CancellationToken cancellationToken)
    {
        try
        {
            var agents = await source.DiscoverAsync(cancellationToken);
            metrics.SourceAgents(source.Name, agents.Count);
            return new SourceOutcome(source, agents, null, (source as StaticFileSource)?.LastProblem);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = e as SourceException ?? new SourceException("Unexpected", $"{source.Name} failed: {e.Message}", e);
            Log.SourceFailed(logger, source.Name, error.Reason, error.Message);
            metrics.SourceError(source.Name, error.Reason);
            return new SourceOutcome(source, null, error, null);
        }
    }

    private CycleReport Finish(long started, DateTimeOffset now, List<SourceStatus> statuses, CycleCounts counts, string? error, Exception? exception)
    {
        var duration = time.GetElapsedTime(started);
        var result = error is not null || (statuses.Count > 0 && statuses.All(s => !s.Succeeded)) ? "failure"
            : statuses.Any(s => !s.Succeeded) ? "partial"
            : "success";
        if (result == "success")
        {
            lastSuccess = now;
        }

        if (error is not null)
        {
            Log.CycleFailed(logger, error, exception);
        }

        metrics.Cycle(result, duration, result == "success" ? now : null);
        var sourcesText = string.Join(", ", statuses.Select(s => s.Succeeded ? $"{s.Name}: {s.Agents}" : $"{s.Name}: failed ({s.Reason})"));
        Log.CycleSummary(logger, result, duration.TotalSeconds, sourcesText, counts.Entries, counts.Created, counts.Updated, counts.Offline, counts.Deleted, counts.Unchanged, counts.Writes, counts.Conflicts);
        return new CycleReport(result, duration, statuses, counts, error);
    }

    /// <summary>The operator's status object: written once per cycle, never an entry.</summary>
    public async Task WriteStatusAsync(CycleReport report, string? leader, CancellationToken cancellationToken)
    {
        try
        {
            await store.WriteStatusAsync(new OperatorStatus
            {
                LastCycleTime = time.GetUtcNow(),
                LastCycleSeconds = Math.Round(report.Duration.TotalSeconds, 3),
                Result = report.Error is null ? report.Result : $"{report.Result}: {report.Error}",
                LastSuccessTime = lastSuccess,
                Sources = report.Sources,
                Counts = report.Counts,
                Leader = leader,
            }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.StatusWriteFailed(logger, e.Message);
        }

        await reporter.ReportSourcesAsync(report.Sources, cancellationToken);
    }

    /// <summary>The trust roots, looked at again; a file that cannot be read keeps the last good keys and is reported.</summary>
    private async Task<bool> CheckTrustRootsAsync(CancellationToken cancellationToken)
    {
        if (verifier is null)
        {
            return false;
        }

        var state = verifier.StartCycle();
        if (state.Problem is { } problem)
        {
            metrics.TrustRootsInvalid();
            Log.TrustRootsInvalid(logger, problem);
            await reporter.ReportTrustRootsInvalidAsync(problem, cancellationToken);
        }

        return state.Changed;
    }
}
