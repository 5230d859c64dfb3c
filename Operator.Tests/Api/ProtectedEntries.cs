using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api;

/// <summary>Entries as the crawler leaves them for a protected MCP server and an A2A card that declares security.</summary>
internal static class ProtectedEntries
{
    public const string Issuer = "https://auth.example.test/";
    public const string MetadataUrl = "http://docs.team-b.svc:8080/.well-known/oauth-protected-resource/mcp";

    public static readonly AgentAuthorization ProtectedMcp = new()
    {
        Required = true,
        Error = "invalid_token",
        AuthorizationServers = [Issuer],
        ScopesSupported = ["docs:read", "docs:write"],
        MetadataUrl = MetadataUrl,
        Resource = "http://docs.team-b.svc:8080/mcp",
        ResourceName = "Private docs",
    };

    public static readonly AgentAuthorization A2aCard = new()
    {
        Schemes = [new AuthorizationScheme { Name = "oauth", Type = "oauth2" }, new AuthorizationScheme { Name = "apiKey", Type = "apiKey", In = "header", Parameter = "X-Key" }],
        Requirements =
        [
            new AuthorizationRequirement { Schemes = ["oauth"], Scopes = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("oauth", "invoices.read invoices.write")]) },
            new AuthorizationRequirement { Schemes = ["apiKey"] },
        ],
        ExtendedCard = true,
    };

    /// <summary><paramref name="item"/> as a protected MCP server leaves it: Active, no tools, refused with the challenge's summary.</summary>
    public static StoredEntry Protect(StoredEntry item, AgentAuthorization? authorization = null) => item with
    {
        Entry = item.Entry! with
        {
            Status = item.Entry.Status with
            {
                Capabilities = [],
                Authorization = authorization ?? ProtectedMcp,
                Conditions = Conditions.Set(item.Entry.Status.Conditions, ConditionTypes.CapabilitiesListed, ConditionStatus.False, "AuthorizationRequired",
                    $"the server requires a token from {Issuer}; scopes supported: docs:read docs:write (MCP initialize at … answered 401 Unauthorized)",
                    new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)),
            },
        },
    };

    /// <summary><paramref name="item"/> with the security its A2A card declares.</summary>
    public static StoredEntry Secure(StoredEntry item) => item with { Entry = item.Entry! with { Status = item.Entry.Status with { Authorization = A2aCard } } };
}
