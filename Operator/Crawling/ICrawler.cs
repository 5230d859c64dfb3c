namespace AgentLens.Operator.Crawling;

/// <summary>Fetches the cards of many agents; one result per request, never an exception per agent.</summary>
internal interface ICrawler
{
    Task<IReadOnlyList<CrawlResult>> CrawlAsync(IReadOnlyList<CrawlRequest> requests, CancellationToken cancellationToken) => CrawlAsync(requests, null, cancellationToken);

    /// <summary>
    /// As each agent's crawl finishes, <paramref name="onEach"/> is told of it (never two at once for one
    /// agent, possibly many agents at once), so what follows a fetch need not wait for the slowest one.
    /// </summary>
    Task<IReadOnlyList<CrawlResult>> CrawlAsync(IReadOnlyList<CrawlRequest> requests, Func<CrawlResult, CancellationToken, Task>? onEach, CancellationToken cancellationToken);
}
