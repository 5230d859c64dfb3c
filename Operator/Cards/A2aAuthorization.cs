using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// An A2A card's security declarations in the shape of <c>status.authorization</c>, beside the capabilities
/// that list them for search: its schemes, the alternatives it requires (any one; each a set of schemes with
/// their scopes) and whether an authenticated extended card exists. Null when the card declares none of these.
/// </summary>
internal static class A2aAuthorization
{
    public const int MaxSchemes = 16;
    public const int MaxRequirements = 16;

    public static AgentAuthorization? Of(A2aCard card, IReadOnlyList<Capability> capabilities)
    {
        var schemes = capabilities.Where(c => c.Kind == CapabilityKinds.A2aSecurityScheme).Take(MaxSchemes).Select(c => new AuthorizationScheme
        {
            Name = CapabilityLimits.Cap(c.Name, CapabilityLimits.MaxPropertyChars)!,
            Type = Property(c, "type"),
            Scheme = Property(c, "scheme"),
            In = Property(c, "in"),
            Parameter = Property(c, "parameter"),
            OpenIdConnectUrl = CardUrls.Http(Property(c, "openIdConnectUrl")),
        }).ToImmutableArray();
        var requirements = Requirements(card).Take(MaxRequirements).ToImmutableArray();
        var extended = card.Capabilities?.ExtendedAgentCard ?? card.SupportsAuthenticatedExtendedCard;
        return schemes.IsEmpty && requirements.IsEmpty && extended is null
            ? null
            : new AgentAuthorization { Schemes = schemes, Requirements = requirements, ExtendedCard = extended };
    }

    private static string? Property(Capability c, string key) => c.Properties.TryGetValue(key, out var value) ? value : null;

    /// <summary>0.3: <c>{"oauth": ["read"]}</c>; 1.0: <c>{"schemes": {"oauth": {"list": ["read"]}}}</c>.</summary>
    private static IEnumerable<AuthorizationRequirement> Requirements(A2aCard card)
    {
        foreach (var requirement in (card.Security ?? []).Concat(card.SecurityRequirements ?? []))
        {
            if (requirement.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var schemes = requirement.TryGetProperty("schemes", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : requirement;
            var entries = schemes.EnumerateObject().Take(MaxSchemes)
                .Select(p => (Name: CapabilityLimits.Cap(p.Name, CapabilityLimits.MaxPropertyChars)!, Scopes: Scopes(p.Value)))
                .DistinctBy(e => e.Name, StringComparer.Ordinal)
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
            if (entries.Count > 0)
            {
                yield return new AuthorizationRequirement
                {
                    Schemes = [.. entries.Select(e => e.Name)],
                    Scopes = entries.Where(e => e.Scopes.Length > 0).ToImmutableSortedDictionary(e => e.Name, e => e.Scopes, StringComparer.Ordinal),
                };
            }
        }
    }

    private static string Scopes(JsonElement value)
    {
        var list = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("list", out var l) ? l : value;
        var scopes = list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).Where(ProtectedResourceMetadata.IsScope).Take(ProtectedResourceMetadata.MaxScopes)
            : [];
        return string.Join(' ', scopes);
    }
}
