using System.Text.Json;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api;

/// <summary>
/// What a reader needs to know before calling an agent, from <c>status.authorization</c>, the same in every view
/// (the MCP tools, search results, the registry's <c>_meta</c>, the AI Catalog, the page, kubectl's column): whether
/// credentials are needed, who grants them, which scopes to ask for, and where the resource describes itself.
/// </summary>
internal sealed record AccessSummary
{
    /// <summary>
    /// Credentials are needed: a protected MCP server refused to be introspected without them, or an A2A card
    /// requires at least one security alternative.
    /// </summary>
    public required bool Required { get; init; }

    /// <summary>The authorization servers (issuer URLs) that grant tokens; http(s) URLs only.</summary>
    public ImmutableArray<string> AuthorizationServers { get; init; } = [];

    /// <summary>
    /// The scopes to ask for, as an MCP client picks them: the challenge's <c>scope</c> when it named any, else the
    /// scopes the resource supports; A2A: every scope the card's requirements name.
    /// </summary>
    public ImmutableArray<string> Scopes { get; init; } = [];

    /// <summary>The RFC 9728 protected resource metadata URL (http(s) only), read or, on another origin, only recorded.</summary>
    public string? ResourceMetadataUrl { get; init; }

    public string? ResourceName { get; init; }

    /// <summary>A2A: the alternatives the card accepts, any one of which will do; each is its schemes joined by '+'.</summary>
    public ImmutableArray<string> Alternatives { get; init; } = [];

    /// <summary>A2A: whether the agent serves an authenticated extended card.</summary>
    public bool? ExtendedCard { get; init; }

    /// <summary>One line for people: <c>required (auth.example.com)</c>, <c>oauth | apiKey+mtls</c> (kubectl's cell).</summary>
    public required string Text { get; init; }

    /// <summary>
    /// The summary of <paramref name="entry"/>'s authorization; null when it has none (the agent declares no security
    /// and answered without credentials). A push entry is written by hand: URLs that are not http(s) are left out.
    /// </summary>
    public static AccessSummary? Of(AgentType? entry) => entry?.Status.Authorization is { } a ? Of(a) : null;

    public static AccessSummary Of(AgentAuthorization a)
    {
        var requirements = a.Requirements.IsDefault ? [] : a.Requirements.Where(r => r is not null).ToList();
        var alternatives = requirements.Select(r => string.Join('+', r.Schemes.IsDefault ? [] : r.Schemes)).Where(s => s.Length > 0).ToImmutableArray();
        var challenged = Strings(a.ScopesRequired);
        var scopes = a.Required
            ? (challenged.IsEmpty ? Strings(a.ScopesSupported) : challenged)
            : [.. requirements.SelectMany(r => (r.Scopes ?? ImmutableSortedDictionary<string, string>.Empty).Values)
                .SelectMany(v => (v ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return new AccessSummary
        {
            Required = a.Required || !alternatives.IsEmpty,
            AuthorizationServers = [.. Strings(a.AuthorizationServers).Select(CardUrls.Http).OfType<string>()],
            Scopes = scopes,
            ResourceMetadataUrl = CardUrls.Http(a.MetadataUrl),
            ResourceName = a.ResourceName,
            Alternatives = alternatives,
            ExtendedCard = a.ExtendedCard,
            Text = AgentTypeObjects.AuthorizationSummary(a),
        };
    }

    /// <summary>Writes the summary as a JSON object, the form search results, the registry and the AI Catalog share.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("required", Required);
        w.WriteString("summary", Text);
        Array(w, "authorizationServers", AuthorizationServers);
        Array(w, "scopes", Scopes);
        if (ResourceMetadataUrl is not null)
        {
            w.WriteString("resourceMetadataUrl", ResourceMetadataUrl);
        }

        if (ResourceName is not null)
        {
            w.WriteString("resourceName", ResourceName);
        }

        if (!Alternatives.IsEmpty)
        {
            Array(w, "alternatives", Alternatives);
        }

        if (ExtendedCard is { } extended)
        {
            w.WriteBoolean("extendedCard", extended);
        }

        w.WriteEndObject();
    }

    private static void Array(Utf8JsonWriter w, string name, ImmutableArray<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static ImmutableArray<string> Strings(ImmutableArray<string> values) => values.IsDefault ? [] : [.. values.Where(v => !string.IsNullOrEmpty(v))];

    public bool Equals(AccessSummary? other) =>
        other is not null && Required == other.Required && ResourceMetadataUrl == other.ResourceMetadataUrl && ResourceName == other.ResourceName
        && ExtendedCard == other.ExtendedCard && Text == other.Text && AuthorizationServers.SequenceEqual(other.AuthorizationServers)
        && Scopes.SequenceEqual(other.Scopes) && Alternatives.SequenceEqual(other.Alternatives);

    public override int GetHashCode() => HashCode.Combine(Required, Text, ResourceMetadataUrl);
}
