using System.Net;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// Finds out who grants access to an MCP server that refused us: its OAuth protected resource metadata
/// (RFC 9728), at the URL its challenge names, else at <c>/.well-known/oauth-protected-resource&lt;path&gt;</c>
/// and then at the origin's root, as the MCP authorization spec has clients look. Only the agent's own origin
/// is ever asked, through the crawler's fetcher (its address policy, size cap, timeout and same-origin
/// redirects) and without the agent's credentials; a metadata URL on another origin is recorded, never fetched.
/// Nothing here fails the crawl: what could not be learnt is said in <see cref="AgentAuthorization.MetadataProblem"/>.
/// </summary>
internal sealed class ProtectedResourceProbe(HttpFetcher fetcher)
{
    public const string WellKnownPath = "/.well-known/oauth-protected-resource";

    public async Task<AgentAuthorization> DescribeAsync(string mcpUrl, BearerChallenge challenge, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var described = new AgentAuthorization
        {
            Required = true,
            Error = challenge.Error,
            ScopesRequired = challenge.Scopes,
        };
        var origin = AgentEndpoint.Origin(AgentEndpoint.Normalize(mcpUrl));
        if (challenge.ResourceMetadata is { } named && !SameOrigin(named, origin))
        {
            return described with
            {
                MetadataUrl = named,
                MetadataProblem = $"the metadata is on another origin ({new Uri(named).GetLeftPart(UriPartial.Authority)}) and was not fetched",
            };
        }

        if (!challenge.IsBearer && !challenge.OtherSchemes.IsEmpty)
        {
            // Basic, Negotiate and the like have no protected resource metadata to look for.
            return described with { MetadataProblem = $"the server asks for {string.Join(", ", challenge.OtherSchemes)} authentication, not an OAuth bearer token" };
        }

        var candidates = challenge.ResourceMetadata is { } url ? [url] : WellKnownUrls(mcpUrl, origin);
        string? problem = null;
        foreach (var candidate in candidates)
        {
            var (response, failure) = await fetcher.SendAsync(new FetchRequest { Url = candidate, Timeout = timeout }, cancellationToken);
            if (response is null)
            {
                return described with { MetadataUrl = candidate, MetadataProblem = $"fetching the metadata failed: {failure}" };
            }

            if (response.Status == HttpStatusCode.NotFound && challenge.ResourceMetadata is null)
            {
                problem = $"no protected resource metadata at {string.Join(" or ", candidates)}";
                continue;
            }

            if (!response.IsSuccess)
            {
                return described with { MetadataUrl = candidate, MetadataProblem = $"the metadata URL answered {(int)response.Status} {response.Status}" };
            }

            ProtectedResourceMetadata metadata;
            try
            {
                metadata = ProtectedResourceMetadata.Parse(response.Body);
            }
            catch (CardParseException e)
            {
                return described with { MetadataUrl = candidate, MetadataProblem = $"the metadata cannot be used: {e.Message}" };
            }

            // RFC 9728 §3.3: metadata for another resource must not be used; ours is on the agent's own origin.
            if (!SameOrigin(metadata.Resource, origin))
            {
                return described with { MetadataUrl = candidate, MetadataProblem = "the metadata describes a resource on another origin; it was not used" };
            }

            return described with
            {
                MetadataUrl = candidate,
                Resource = metadata.Resource,
                ResourceName = metadata.ResourceName,
                AuthorizationServers = metadata.AuthorizationServers,
                ScopesSupported = metadata.ScopesSupported,
            };
        }

        return described with { MetadataProblem = problem };
    }

    /// <summary>The path-suffixed well-known URL (RFC 9728 §3.1), then the origin's own when the server has a path.</summary>
    internal static string[] WellKnownUrls(string mcpUrl, string origin)
    {
        var path = new Uri(mcpUrl).AbsolutePath.TrimEnd('/');
        return path.Length == 0 ? [origin + WellKnownPath] : [origin + WellKnownPath + path, origin + WellKnownPath];
    }

    private static bool SameOrigin(string url, string origin) =>
        AgentEndpoint.TryNormalize(url, out var normalized, out _) && AgentEndpoint.Origin(normalized) == origin;
}
