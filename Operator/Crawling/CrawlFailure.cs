namespace AgentLens.Operator.Crawling;

/// <summary>Why fetching an agent's card failed; the entry's status and the metrics show it.</summary>
internal enum CrawlFailureReason
{
    Timeout,
    TooLarge,
    HttpStatus,
    Redirect,
    Network,
    Tls,
    ContentType,
    InvalidJson,
    InvalidCard,
    Configuration,
    DeniedAddress,
}

internal sealed record CrawlFailure(CrawlFailureReason Reason, string Message)
{
    public override string ToString() => $"{Reason}: {Message}";
}
