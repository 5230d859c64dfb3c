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

    /// <summary>The server answered and refused: it wants an access token (401), or one with more scope (403).</summary>
    AuthorizationRequired,
}

internal sealed record CrawlFailure(CrawlFailureReason Reason, string Message)
{
    /// <summary>For <see cref="CrawlFailureReason.AuthorizationRequired"/>: what the refusal's challenge said.</summary>
    public BearerChallenge? Challenge { get; init; }

    public override string ToString() => $"{Reason}: {Message}";
}
