using System.Collections.Concurrent;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// The crawl of a cycle: slots per host and overall, and the cycle budget as a hard end. When the budget ends,
/// agents still waiting for a slot or still being crawled are cancelled and become <see cref="CrawlDeferred"/>,
/// and the crawl returns at once — it does not wait for them to notice: an agent that ignores its token (or
/// a library that never passed one on) cannot hold the cycle. Nothing is reported for an abandoned agent
/// afterwards, so the caller never learns of it after the crawl returned.
/// </summary>
internal sealed partial class Crawler
{
    // Where each agent of a crawl is; it moves only forward, and one compare-and-swap decides a race
    // between an agent finishing and the cycle budget ending.
    private const int AgentWaiting = 0;
    private const int AgentCrawling = 1;
    private const int AgentReporting = 2;
    private const int AgentAbandoned = 3;

    public async Task<IReadOnlyList<CrawlResult>> CrawlAsync(IReadOnlyList<CrawlRequest> requests, Func<CrawlResult, CancellationToken, Task>? onEach, CancellationToken cancellationToken)
    {
        // Disposed by the crawl when every agent has finished, else by the last straggler (see the end).
        var inFlight = new SemaphoreSlim(crawl.ConcurrencyFor(requests.Count));
        var cycleBudget = new CancellationTokenSource(crawl.CycleBudget, time);
        var budgetOrStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cycleBudget.Token);
        var perHost = new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        var states = new int[requests.Count];

        // A slot, unless the crawl's budget runs out first: then the agent waits for the next cycle.
        async Task<bool> EnterAsync(SemaphoreSlim slot)
        {
            try
            {
                await slot.WaitAsync(budgetOrStop.Token);
                return true;
            }
            catch (OperationCanceledException) when (cycleBudget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        async Task<CrawlResult> CrawlSlottedAsync(int index)
        {
            var request = requests[index];
            var deferred = new CrawlResult(request.Agent, new CrawlDeferred(), TimeSpan.Zero);

            // Wait for the host's slot before taking a global one, so a busy host never holds global slots idle.
            var hostSlot = perHost.GetOrAdd(AgentEndpoint.Origin(request.Agent.Endpoint), _ => new SemaphoreSlim(crawl.PerHostConcurrency));
            if (!await EnterAsync(hostSlot))
            {
                return deferred;
            }

            try
            {
                if (!await EnterAsync(inFlight))
                {
                    return deferred;
                }

                try
                {
                    if (Interlocked.CompareExchange(ref states[index], AgentCrawling, AgentWaiting) != AgentWaiting)
                    {
                        return deferred;
                    }

                    // The cycle's end cancels the agent's crawl too: an agent in flight then is deferred.
                    return await CrawlOneAsync(request, budgetOrStop.Token);
                }
                catch (OperationCanceledException) when (cycleBudget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return deferred;
                }
                finally
                {
                    inFlight.Release();
                }
            }
            finally
            {
                hostSlot.Release();
            }
        }

        async Task<CrawlResult?> RunAsync(int index)
        {
            var result = await CrawlSlottedAsync(index);
            var was = Volatile.Read(ref states[index]);
            if (was == AgentAbandoned || Interlocked.CompareExchange(ref states[index], AgentReporting, was) != was)
            {
                // The crawl already returned this agent as deferred: its late result goes nowhere.
                return null;
            }

            if (onEach is not null)
            {
                await onEach(result, cancellationToken);
            }

            return result;
        }

        var runs = Enumerable.Range(0, requests.Count).Select(RunAsync).ToArray();
        var all = Task.WhenAll(runs);
        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool finished;
        using (budgetOrStop.Token.Register(() => cut.TrySetResult()))
        {
            finished = await Task.WhenAny(all, cut.Task) == all;
        }

        if (finished)
        {
            Dispose(inFlight, cycleBudget, budgetOrStop, perHost);
            return [.. (await all).OfType<CrawlResult>()];
        }

        // The budget ended (or the operator is stopping): keep what is done, abandon the rest.
        var results = new CrawlResult[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = await SettleAsync(i) ?? new CrawlResult(requests[i].Agent, new CrawlDeferred(), TimeSpan.Zero);
        }

        // Stragglers end when they notice their cancelled tokens, or never; the last one frees the slots, and
        // whatever they throw is observed here rather than at the finalizer.
        _ = all.ContinueWith(
            t =>
            {
                _ = t.Exception;
                Dispose(inFlight, cycleBudget, budgetOrStop, perHost);
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
        return results;

        // One agent at the cut: one being reported is waited for (onEach is ours and quick); any other is abandoned.
        async Task<CrawlResult?> SettleAsync(int index)
        {
            while (true)
            {
                var state = Volatile.Read(ref states[index]);
                if (state == AgentReporting)
                {
                    return await runs[index];
                }

                if (Interlocked.CompareExchange(ref states[index], AgentAbandoned, state) == state)
                {
                    if (state == AgentCrawling)
                    {
                        metrics.CrawlAbandoned(requests[index].Agent.Protocol);
                    }

                    return null;
                }
            }
        }
    }

    private static void Dispose(SemaphoreSlim inFlight, CancellationTokenSource cycleBudget, CancellationTokenSource budgetOrStop, ConcurrentDictionary<string, SemaphoreSlim> perHost)
    {
        foreach (var slot in perHost.Values)
        {
            slot.Dispose();
        }

        inFlight.Dispose();
        budgetOrStop.Dispose();
        cycleBudget.Dispose();
    }
}
