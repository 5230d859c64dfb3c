namespace AgentLens.Operator.Domain;

/// <summary>
/// What a source knows about one agent: where it is and how to fetch its card. Sources produce these;
/// the crawler consumes them. <see cref="Endpoint"/> is already normalized.
/// </summary>
internal sealed record DiscoveredAgent
{
    public required Protocol Protocol { get; init; }
    public required string Endpoint { get; init; }

    /// <summary>Card URLs to try in order; the next is tried only when the previous answered 404.</summary>
    public required ImmutableArray<string> CardUrls { get; init; }

    /// <summary>For MCP: the Streamable HTTP endpoint to introspect when no card lists tools.</summary>
    public string? McpUrl { get; init; }

    public required SourceRef Source { get; init; }
    public string? Team { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>Overrides the crawler's default per-request timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    public ImmutableDictionary<string, string> Headers { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>A file whose content is sent as a bearer token, re-read on every fetch so rotation works.</summary>
    public string? BearerTokenFile { get; init; }
}

/// <summary>The default places to look for cards, per protocol.</summary>
internal static class WellKnownPaths
{
    public const string A2aCard = "/.well-known/agent-card.json";
    public const string A2aLegacyCard = "/.well-known/agent.json";
    public const string McpServerCard = "/.well-known/mcp/server-card.json";
    public const string McpJson = "/.well-known/mcp.json";
    public const string McpServerJson = "/.well-known/mcp/server.json";
    public const string McpEndpoint = "/mcp";

    public static ImmutableArray<string> DefaultCardPaths(Protocol protocol) => protocol switch
    {
        Protocol.Mcp => [McpServerCard, McpJson, McpServerJson],
        _ => [A2aCard, A2aLegacyCard],
    };

    /// <summary>
    /// Card URLs for an agent at <paramref name="endpoint"/>: the explicit path when given (a full URL or a
    /// path), else the protocol's defaults.
    /// </summary>
    public static ImmutableArray<string> CardUrls(Protocol protocol, string endpoint, string? cardPath)
    {
        if (!string.IsNullOrWhiteSpace(cardPath))
        {
            return Uri.TryCreate(cardPath, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
                ? [absolute.ToString()]
                : [AgentEndpoint.Resolve(endpoint, cardPath.Trim())];
        }

        return [.. DefaultCardPaths(protocol).Select(path => AgentEndpoint.Resolve(endpoint, path))];
    }

    /// <summary>The MCP endpoint: the endpoint itself when it has a path, else the given or default path.</summary>
    public static string McpUrl(string endpoint, string? mcpPath)
    {
        if (!string.IsNullOrWhiteSpace(mcpPath))
        {
            return AgentEndpoint.Resolve(endpoint, mcpPath.Trim());
        }

        return new Uri(endpoint).AbsolutePath is "/" or "" ? AgentEndpoint.Resolve(endpoint, McpEndpoint) : endpoint;
    }
}
