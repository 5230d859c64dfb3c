using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// Applies a cycle's planned changes as they are planned, with its own bounded concurrency (apart from the
/// crawl's): each write conditional on the resourceVersion read; on conflict the entry is read again and
/// planned again (at most three times); a write the API server refuses for its content is that agent's
/// failure (an Event on its source object), not the cycle's. Remembers what it wrote, so the next cycle
/// can tell whether a cached catalog has seen it.
/// </summary>
internal sealed class CatalogWriter
{
    private const int MaxConflictRetries = 3;
    private readonly Channel<PlannedChange> queue = Channel.CreateUnbounded<PlannedChange>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly ConcurrentQueue<PlannedChange> planned = new();
    private readonly ConcurrentDictionary<string, string?> written = new(StringComparer.Ordinal);
    private readonly ICatalogStore store;
    private readonly Func<PlannedChange, StoredEntry?, PlannedChange?> replan;
    private readonly Func<string, DiscoveredAgent?> agentOf;
    private readonly CycleReporter reporter;
    private readonly Metrics metrics;
    private readonly ILogger logger;
    private readonly Task[] workers;
    private int created, updated, offline, deleted, conflicts, writes, failed, refused;
    private string? lastError;

    public CatalogWriter(ICatalogStore store, Func<PlannedChange, StoredEntry?, PlannedChange?> replan, Func<string, DiscoveredAgent?> agentOf,
        CycleReporter reporter, Metrics metrics, ILogger logger, int concurrency, CancellationToken cancellationToken)
    {
        this.store = store;
        this.replan = replan;
        this.agentOf = agentOf;
        this.reporter = reporter;
        this.metrics = metrics;
        this.logger = logger;
        workers = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None))];
    }

    /// <summary>Every change planned this cycle, written or not.</summary>
    public IReadOnlyCollection<PlannedChange> Planned => planned;

    /// <summary>Entries written this cycle: name → resourceVersion after the write (null: deleted).</summary>
    public IReadOnlyDictionary<string, string?> Written => written;

    public void Enqueue(PlannedChange change)
    {
        planned.Enqueue(change);
        queue.Writer.TryWrite(change);
    }

    /// <summary>Waits for every queued write; the counts, and the error when some write failed outright.</summary>
    public async Task<(CycleCounts Counts, string? Error)> CompleteAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(workers);
        var counts = new CycleCounts { Created = created, Updated = updated, Offline = offline, Deleted = deleted, Conflicts = conflicts, Writes = writes, Refused = refused };
        return (counts, failed == 0 ? null : $"{failed} catalog write(s) failed and will be retried next cycle (last: {lastError})");
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        await foreach (var change in queue.Reader.ReadAllAsync(cancellationToken))
        {
            await ApplyAsync(change, cancellationToken);
        }
    }

    private async Task ApplyAsync(PlannedChange planned, CancellationToken ct)
    {
        var change = planned;
        for (var attempt = 1; change is not null; attempt++)
        {
            try
            {
                var result = await WriteAsync(change, ct);
                Interlocked.Increment(ref writes);
                written[NameOf(change)] = change is DeleteEntry ? null : result?.ResourceVersion;
                switch (change)
                {
                    case CreateEntry:
                        Interlocked.Increment(ref created);
                        break;
                    case DeleteEntry:
                        Interlocked.Increment(ref deleted);
                        break;
                    default:
                        Interlocked.Increment(ref updated);
                        if (change is UpdateEntry { Transition: Transition.Offline })
                        {
                            Interlocked.Increment(ref offline);
                        }

                        break;
                }

                await reporter.AnnounceAsync(change, result, ct);
                return;
            }
            catch (CatalogConflictException) when (attempt <= MaxConflictRetries)
            {
                Interlocked.Increment(ref conflicts);
                metrics.CatalogWrite("conflict");
                var name = NameOf(change);
                Log.WriteConflict(logger, name, attempt);
                change = replan(change, await store.GetAsync(name, ct));
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity)
            {
                // The content was refused, not the operator: that agent's problem, reported to its owner.
                Interlocked.Increment(ref refused);
                metrics.CatalogWrite("refused");
                var message = $"the API server refused catalog entry {NameOf(change)} for {change.Endpoint}: {(int)e.Response!.StatusCode} {EntryLimits.Cap(e.Response.ReasonPhrase, 64)}";
                Log.WriteRefused(logger, NameOf(change), change.Endpoint, (int)e.Response.StatusCode);
                await reporter.ReportWriteRefusedAsync(agentOf(change.Endpoint), message, ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Log.ApplyFailed(logger, change.GetType().Name, NameOf(change), e.Message);
                Interlocked.Increment(ref failed);
                lastError = e.Message;
                return;
            }
        }
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

    internal static string NameOf(PlannedChange change) => change switch
    {
        CreateEntry c => c.Name,
        UpdateEntry u => u.Existing.Name,
        DeleteEntry d => d.Existing.Name,
        _ => throw new InvalidOperationException(change.GetType().Name),
    };
}
