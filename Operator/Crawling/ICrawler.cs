namespace AgentLens.Operator.Crawling;

/// <summary>Fetches the cards of many agents; one result per request, never an exception per agent.</summary>
internal interface ICrawler
{
    Task<IReadOnlyList<CrawlResult>> CrawlAsync(IReadOnlyList<CrawlRequest> requests, CancellationToken cancellationToken);
}
