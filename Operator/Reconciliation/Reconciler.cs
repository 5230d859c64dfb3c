using System.Collections.Concurrent;
using System.Net;
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
}

/// <summary>
/// One discovery cycle, like external-dns's RunOnce:
/// read the stored catalog → run every source (one failing never stops another) → decide who owns each
/// endpoint (<see cref="EndpointClaims"/>; losers get a DuplicateAgent Event) → crawl the cards →
/// plan per endpoint (create / update / mark Offline / delete) → apply only what the plan changes, each
/// write conditional on the resourceVersion read, re-read and re-planned on conflict.
/// Push entries win every endpoint they register and are never written. A write the API server refuses
/// for its content is that agent's failure (an Event on its source object, a metric), not the cycle's.
/// </summary>
internal sealed class Reconciler(
    ICatalogStore store,
    IEnumerable<IAgentSource> sources,
    ICrawler crawler,
    IEventRecorder events,
    Metrics metrics,
    TimeProvider time,
    ReconcileOptions options,
    ILogger<Reconciler> logger,
    ISignatureVerifier? verifier = null) : IReconciler
{
    private const int MaxConflictRetries = 3;
    private const int WriteParallelism = 16;
    private readonly CatalogPlanner planner = new(options.OfflineAfterFailures, options.Retention, store.Namespace);
    private readonly CycleReporter reporter = new(events, metrics, store.Namespace, logger);

    // Last-Modified of each endpoint's last good card, for If-Modified-Since. Kept in memory only: it is a
    // validator, not catalog content, and after a restart the ETag in the entry's status still applies.
    private readonly ConcurrentDictionary<string, string> lastModified = new(StringComparer.Ordinal);
    private DateTimeOffset? lastSuccess;

    public async Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        IReadOnlyList<StoredEntry> stored;
        try
        {
            stored = await store.ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Finish(started, now, [], new CycleCounts(), $"cannot list the catalog in namespace {store.Namespace}: {e.Message}", e);
        }

        var outcomes = await Task.WhenAll(sources.Select(s => DiscoverAsync(s, cancellationToken)));
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

        var trustChanged = await CheckTrustRootsAsync(cancellationToken);
        var crawlRequests = desired.Values.Select(agent =>
        {
            // Validators only for the card they came from: a 304 for another URL would keep the wrong card.
            // New trust roots: every card is fetched whole again, so its signatures are judged by them.
            var previous = managed.GetValueOrDefault(agent.Endpoint)?[0].Entry;
            return trustChanged || previous?.Status.CardDigest is null || previous.Spec.CardUrl is not { } cardUrl || !agent.CardUrls.Contains(cardUrl)
                ? new CrawlRequest(agent)
                : new CrawlRequest(agent, previous.Status.CardEtag, lastModified.GetValueOrDefault(agent.Endpoint));
        }).ToList();
        var crawled = (await crawler.CrawlAsync(crawlRequests, cancellationToken)).ToDictionary(r => r.Agent.Endpoint, r => r.Outcome, StringComparer.Ordinal);
        foreach (var (endpoint, outcome) in crawled)
        {
            if (outcome is CardFetched { LastModified: { } modified })
            {
                lastModified[endpoint] = modified;
            }
        }

        var changes = new List<PlannedChange>();
        var unchanged = 0;
        foreach (var endpoint in desired.Keys.Union(managed.Keys, StringComparer.Ordinal))
        {
            var entries = managed.GetValueOrDefault(endpoint);
            var existing = entries?[0];
            foreach (var duplicate in entries?.Skip(1) ?? [])
            {
                changes.Add(new DeleteEntry(endpoint, duplicate, $"a duplicate of {existing!.Name} for the same endpoint"));
            }

            if (push.Contains(endpoint))
            {
                changes.Add(new DeleteEntry(endpoint, existing!, "a push entry now registers this endpoint"));
                continue;
            }

            var agent = desired.GetValueOrDefault(endpoint);
            var sourceFailed = existing?.Entry is { } entry && failedTypes.Contains(entry.Spec.Source.Type);
            var change = planner.Plan(existing, agent, agent is null ? null : crawled[endpoint], sourceFailed, now);
            if (change is null)
            {
                unchanged++;
            }
            else
            {
                changes.Add(change);
            }
        }

        var (applied, writeError) = await ApplyAsync(changes, desired, crawled, failedTypes, now, cancellationToken);
        var total = reporter.RecordCatalogGauge(stored, changes);
        var counts = applied with { Unchanged = unchanged, Entries = total };
        var statuses = outcomes.Select(o => new SourceStatus(o.Source.Name, o.Agents is not null, o.Agents?.Count ?? 0, o.Error?.Reason, o.Error?.Message ?? o.Warning)).ToList();
        return Finish(started, now, statuses, counts, writeError, null);
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

    private async Task<(CycleCounts Counts, string? Error)> ApplyAsync(List<PlannedChange> changes, Dictionary<string, DiscoveredAgent> desired, Dictionary<string, CrawlOutcome> crawled,
        HashSet<SourceType> failedTypes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int created = 0, updated = 0, offline = 0, deleted = 0, conflicts = 0, writes = 0, failed = 0, refused = 0;
        string? lastError = null;
        await Parallel.ForEachAsync(changes, new ParallelOptions { MaxDegreeOfParallelism = WriteParallelism, CancellationToken = cancellationToken }, async (planned, ct) =>
        {
            var change = planned;
            for (var attempt = 1; change is not null; attempt++)
            {
                try
                {
                    var written = await WriteAsync(change, ct);
                    Interlocked.Increment(ref writes);
                    switch (change)
                    {
                        case CreateEntry:
                            Interlocked.Increment(ref created);
                            break;
                        case DeleteEntry:
                            Interlocked.Increment(ref deleted);
                            break;
                        case UpdateEntry u when u.Transition == Transition.Offline:
                            Interlocked.Increment(ref offline);
                            Interlocked.Increment(ref updated);
                            break;
                        default:
                            Interlocked.Increment(ref updated);
                            break;
                    }

                    await reporter.AnnounceAsync(change, written, ct);
                    break;
                }
                catch (CatalogConflictException) when (attempt <= MaxConflictRetries)
                {
                    Interlocked.Increment(ref conflicts);
                    metrics.CatalogWrite("conflict");
                    var name = NameOf(change);
                    Log.WriteConflict(logger, name, attempt);
                    var fresh = await store.GetAsync(name, ct);
                    if (fresh is { IsPush: true })
                    {
                        break;
                    }

                    var agent = desired.GetValueOrDefault(change.Endpoint);
                    var sourceFailed = fresh?.Entry is { } entry && failedTypes.Contains(entry.Spec.Source.Type);
                    change = change is DeleteEntry && fresh is not null && fresh.Endpoint != change.Endpoint
                        ? null
                        : planner.Plan(fresh, agent, agent is null ? null : crawled[change.Endpoint], sourceFailed, now);
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity)
                {
                    // The content was refused, not the operator: that agent's problem, reported to its owner.
                    Interlocked.Increment(ref refused);
                    metrics.CatalogWrite("refused");
                    var agent = desired.GetValueOrDefault(change.Endpoint);
                    var message = $"the API server refused catalog entry {NameOf(change)} for {change.Endpoint}: {(int)e.Response!.StatusCode} {EntryLimits.Cap(e.Response.ReasonPhrase, 64)}";
                    Log.WriteRefused(logger, NameOf(change), change.Endpoint, (int)e.Response.StatusCode);
                    await reporter.ReportWriteRefusedAsync(agent, message, ct);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    Log.ApplyFailed(logger, change.GetType().Name, NameOf(change), e.Message);
                    Interlocked.Increment(ref failed);
                    lastError = e.Message;
                    break;
                }
            }
        });

        var counts = new CycleCounts { Created = created, Updated = updated, Offline = offline, Deleted = deleted, Conflicts = conflicts, Writes = writes, Refused = refused };
        return (counts, failed == 0 ? null : $"{failed} catalog write(s) failed and will be retried next cycle (last: {lastError})");
    }

    private async Task<StoredEntry?> WriteAsync(PlannedChange change, CancellationToken cancellationToken)
    {
        switch (change)
        {
            case CreateEntry c:
                metrics.CatalogWrite("create");
                return await store.CreateAsync(c.Name, c.Entry, c.RawCard, cancellationToken);
            case UpdateEntry u:
                metrics.CatalogWrite("update");
                return await store.UpdateAsync(u.Existing, u.Entry, u.RawCard, cancellationToken);
            case DeleteEntry d:
                metrics.CatalogWrite("delete");
                await store.DeleteAsync(d.Existing, cancellationToken);
                return d.Existing;
            default:
                throw new InvalidOperationException(change.GetType().Name);
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

    internal static string NameOf(PlannedChange change) => change switch
    {
        CreateEntry c => c.Name,
        UpdateEntry u => u.Existing.Name,
        DeleteEntry d => d.Existing.Name,
        _ => "?",
    };

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
