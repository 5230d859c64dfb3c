namespace AgentLens.Operator.Domain;

/// <summary>One security scheme an A2A card declares, in the 0.3 vocabulary whatever version the card spoke.</summary>
internal sealed record AuthorizationScheme
{
    /// <summary>The scheme's name in the card, as requirements refer to it.</summary>
    public required string Name { get; init; }

    /// <summary>http, apiKey, oauth2, openIdConnect or mutualTLS.</summary>
    public string? Type { get; init; }

    /// <summary>For http: the HTTP authentication scheme (bearer, basic).</summary>
    public string? Scheme { get; init; }

    /// <summary>For apiKey: where the key goes (header, query or cookie).</summary>
    public string? In { get; init; }

    /// <summary>For apiKey: the header, query parameter or cookie name.</summary>
    public string? Parameter { get; init; }

    /// <summary>For openIdConnect: the discovery URL.</summary>
    public string? OpenIdConnectUrl { get; init; }
}
