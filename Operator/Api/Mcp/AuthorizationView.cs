using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>Whether calling the agent needs credentials and how to get them (the entry's <c>status.authorization</c>, summarized).</summary>
internal sealed record AuthorizationView(
    [property: Description("True when the agent needs credentials: a protected MCP server answered 401/403, or an A2A card requires a security scheme.")] bool Required,
    [property: Description("One line for people, e.g. 'required (auth.example.com)' or 'oauth | apiKey+mtls'.")] string Summary,
    [property: Description("The OAuth authorization servers (issuer URLs) that grant tokens for this agent.")] IReadOnlyList<string> AuthorizationServers,
    [property: Description("The scopes to ask for: those the server's challenge named, else those it supports; for A2A those its requirements name.")] IReadOnlyList<string> Scopes,
    [property: Description("The OAuth protected resource metadata (RFC 9728) URL of an MCP server.")] string? ResourceMetadataUrl,
    [property: Description("The protected resource's human-readable name.")] string? ResourceName,
    [property: Description("A2A: the alternatives the card accepts, any one of which will do; each is its schemes joined by '+'.")] IReadOnlyList<string> Alternatives,
    [property: Description("A2A: whether the agent serves an authenticated extended card.")] bool? ExtendedCard)
{
    public static AuthorizationView? Of(AccessSummary? summary) => summary is null ? null
        : new(summary.Required, summary.Text, summary.AuthorizationServers, summary.Scopes, summary.ResourceMetadataUrl, summary.ResourceName, summary.Alternatives, summary.ExtendedCard);
}
