using System.ComponentModel.DataAnnotations;

namespace AgentLens.Operator.Crawling;

/// <summary>How fresh MCP servers' lists are kept; bound from <c>AgentLens:Mcp</c> and validated at start-up.</summary>
internal sealed class McpOptions
{
    /// <summary>
    /// The soonest an entry is introspected again after its lists' <c>ttlMs</c> ran out: a server that says
    /// "1 ms" cannot make the operator ask it back to back. A TTL longer than the poll interval waits for the cycle.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "mcp minRefresh must be between 1s and 24h")]
    public TimeSpan MinRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Hold a subscription to servers that announce <c>list_changed</c>, and re-introspect one on its notification.</summary>
    public bool Subscribe { get; set; }

    /// <summary>With <see cref="Subscribe"/>: subscriptions held at once, at most; further servers are refreshed by TTL and cycle only.</summary>
    [Range(1, 10_000, ErrorMessage = "mcp maxSubscriptions must be between 1 and 10000")]
    public int MaxSubscriptions { get; set; } = 100;

    /// <summary>With <see cref="Subscribe"/>: bytes one subscription's stream may carry before it is dropped and opened again after a backoff.</summary>
    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "mcp subscriptionMaxBytes must be between 1 KiB and 64 MiB")]
    public int SubscriptionMaxBytes { get; set; } = 256 * 1024;
}
