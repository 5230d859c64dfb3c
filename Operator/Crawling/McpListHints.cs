namespace AgentLens.Operator.Crawling;

/// <summary>
/// What a live MCP server said about keeping its lists fresh: where it listens, the shortest <c>ttlMs</c> of
/// its list results (null: none given, or 0 or less, which the revision reads as "stale at once" — the poll
/// interval then applies), whether it announces <c>list_changed</c>, and whether it speaks the 2026-07-28
/// revision, whose clients subscribe with <c>subscriptions/listen</c> rather than the standalone GET stream.
/// </summary>
internal sealed record McpListHints(string McpUrl, TimeSpan? Ttl, bool ListChanged, bool Listen)
{
    /// <summary>The first revision with <c>ttlMs</c> and <c>subscriptions/listen</c>.</summary>
    public const string ListenRevision = "2026-07-28";
}
