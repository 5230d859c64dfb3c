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

    /// <summary>The announcing object's uid (a Service's), so Events about it land on that very object.</summary>
    public string? SourceUid { get; init; }

    /// <summary>When the announcing object was created; the older of two claims to one endpoint wins.</summary>
    public DateTimeOffset? SourceCreated { get; init; }

    public string? Team { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>Overrides the crawler's default per-request timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    public ImmutableDictionary<string, string> Headers { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>A file whose content is sent as a bearer token, re-read on every fetch so rotation works.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>A Service's credentials Secret (<c>agentlens.io/credentials-secret</c>), set only when reading them is enabled.</summary>
    public SecretReference? CredentialsSecret { get; init; }

    /// <summary>The token read from <see cref="CredentialsSecret"/>: set by the crawler for one crawl only, never by a source.</summary>
    public BearerToken? BearerToken { get; init; }
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
    public const string McpServerCardSuffix = "/server-card";
    public const string AiCatalog = "/.well-known/ai-catalog.json";

    /// <summary>ARD: the same AI Catalog document, looked for where <see cref="AiCatalog"/> is absent.</summary>
    public const string Ard = "/.well-known/ard.json";

    public static ImmutableArray<string> DefaultCardPaths(Protocol protocol) => protocol switch
    {
        Protocol.Mcp => [McpServerCard, McpJson, McpServerJson],
        _ => [A2aCard, A2aLegacyCard],
    };

    /// <summary>
    /// The identity of an agent whose card is at <paramref name="normalizedCardUrl"/>: the part before a
    /// well-known card path (<c>…/agents/one/.well-known/agent-card.json</c> → <c>…/agents/one</c>), else the
    /// card URL itself. Many agents behind one gateway origin are told apart this way.
    /// </summary>
    public static string IdentityFromCardUrl(string normalizedCardUrl)
    {
        foreach (var suffix in new[] { A2aCard, A2aLegacyCard, McpServerCard, McpJson, McpServerJson })
        {
            if (normalizedCardUrl.EndsWith(suffix, StringComparison.Ordinal))
            {
                return AgentEndpoint.Normalize(normalizedCardUrl[..^suffix.Length] is { Length: > 0 } before && before.Contains("://", StringComparison.Ordinal)
                    ? before
                    : normalizedCardUrl);
            }
        }

        return normalizedCardUrl;
    }

    /// <summary>
    /// Card URLs for an agent at <paramref name="endpoint"/>: the explicit path when given (from the origin),
    /// else the protocol's defaults under the endpoint's own path. The card always stays on the endpoint's own
    /// origin: a path is joined onto it, and an absolute URL is accepted only when it names the same scheme,
    /// host and port and carries no credentials.
    /// </summary>
    public static bool TryCardUrls(Protocol protocol, string endpoint, string? cardPath, out ImmutableArray<string> urls, [NotNullWhen(false)] out string? error)
    {
        urls = [];
        error = null;
        if (string.IsNullOrWhiteSpace(cardPath))
        {
            urls = DefaultCardUrls(protocol, endpoint);
            return true;
        }

        cardPath = cardPath.Trim();
        var origin = new Uri(AgentEndpoint.Origin(endpoint));
        if (cardPath.Contains("://", StringComparison.Ordinal) || cardPath.StartsWith("//", StringComparison.Ordinal) || cardPath.StartsWith('\\'))
        {
            if (!Uri.TryCreate(cardPath.StartsWith("//", StringComparison.Ordinal) ? origin.Scheme + ":" + cardPath : cardPath, UriKind.Absolute, out var absolute))
            {
                error = "the card path is neither a path nor a URL";
                return false;
            }

            if (!string.IsNullOrEmpty(absolute.UserInfo))
            {
                error = "the card URL carries credentials; use a path on the Service instead";
                return false;
            }

            if (absolute.Scheme != origin.Scheme || !string.Equals(absolute.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase) || absolute.Port != origin.Port)
            {
                error = $"the card URL is not on the agent's own address ({origin.Scheme}://{origin.Authority}); give a path such as /.well-known/agent-card.json";
                return false;
            }

            urls = [absolute.GetComponents(UriComponents.SchemeAndServer | UriComponents.PathAndQuery, UriFormat.UriEscaped)];
            return true;
        }

        var joined = new Uri(AgentEndpoint.Resolve(endpoint, cardPath));
        if (joined.Authority != origin.Authority || !string.IsNullOrEmpty(joined.UserInfo))
        {
            error = "the card path does not stay on the agent's own address";
            return false;
        }

        urls = [joined.ToString()];
        return true;
    }

    /// <summary>
    /// Where an agent's card is looked for when no path is given. A2A: the well-known paths under the agent's
    /// own base path (kagent serves <c>/api/a2a/&lt;ns&gt;/&lt;name&gt;/.well-known/agent.json</c>). MCP: the
    /// server card next to the MCP endpoint (<c>&lt;mcp-url&gt;/server-card</c>), then the domain's AI Catalog
    /// (<c>/.well-known/ai-catalog.json</c>, else <c>/.well-known/ard.json</c>), then the older well-known paths —
    /// at the origin when the endpoint is the MCP URL itself or the origin, else under the endpoint's path.
    /// </summary>
    public static ImmutableArray<string> DefaultCardUrls(Protocol protocol, string endpoint)
    {
        if (protocol != Protocol.Mcp)
        {
            return [.. DefaultCardPaths(protocol).Select(path => endpoint + path)];
        }

        var mcpUrl = McpUrl(endpoint, null);
        var wellKnownBase = mcpUrl == endpoint || new Uri(endpoint).AbsolutePath is "/" or "" ? AgentEndpoint.Origin(endpoint) : endpoint;
        return [mcpUrl + McpServerCardSuffix, AgentEndpoint.Origin(endpoint) + AiCatalog, AgentEndpoint.Origin(endpoint) + Ard, .. DefaultCardPaths(protocol).Select(path => wellKnownBase + path)];
    }

    /// <summary>Card URLs for trusted input (tests, static files): as <see cref="TryCardUrls"/>, throwing on a bad path.</summary>
    public static ImmutableArray<string> CardUrls(Protocol protocol, string endpoint, string? cardPath) =>
        TryCardUrls(protocol, endpoint, cardPath, out var urls, out var error) ? urls : throw new FormatException(error);

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
