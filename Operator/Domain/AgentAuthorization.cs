namespace AgentLens.Operator.Domain;

/// <summary>
/// Who grants access to an agent, as <c>status.authorization</c> shows it. MCP: what a server that answered
/// 401 (or 403 <c>insufficient_scope</c>) said in its <c>WWW-Authenticate</c> challenge and its RFC 9728
/// protected resource metadata. A2A: the security schemes and requirements its card declares, and whether it
/// has an authenticated extended card. Lists are empty, never absent, once read.
/// </summary>
internal sealed record AgentAuthorization
{
    /// <summary>MCP: the server refused to be introspected without (other) credentials.</summary>
    public bool Required { get; init; }

    /// <summary>MCP: the refused request carried credentials (a token file, a credentials Secret or an Authorization header).</summary>
    public bool CredentialsSent { get; init; }

    /// <summary>The authorization servers (issuer URLs) that grant tokens for this agent.</summary>
    public ImmutableArray<string> AuthorizationServers { get; init; } = [];

    /// <summary>The scopes the resource says it understands.</summary>
    public ImmutableArray<string> ScopesSupported { get; init; } = [];

    /// <summary>The scopes the challenge asked for (its <c>scope</c> parameter).</summary>
    public ImmutableArray<string> ScopesRequired { get; init; } = [];

    /// <summary>The challenge's error code (<c>invalid_token</c>, <c>insufficient_scope</c>), when it gave a known one.</summary>
    public string? Error { get; init; }

    /// <summary>The protected resource's identifier (the metadata's <c>resource</c>).</summary>
    public string? Resource { get; init; }

    /// <summary>The metadata's human-readable <c>resource_name</c>.</summary>
    public string? ResourceName { get; init; }

    /// <summary>Where the protected resource metadata is (or would be).</summary>
    public string? MetadataUrl { get; init; }

    /// <summary>Why the metadata was not read: on another origin (never fetched), not found, or not usable.</summary>
    public string? MetadataProblem { get; init; }

    /// <summary>A2A: the security schemes the card declares.</summary>
    public ImmutableArray<AuthorizationScheme> Schemes { get; init; } = [];

    /// <summary>A2A: alternatives, any one of which satisfies the agent; each names schemes and their scopes.</summary>
    public ImmutableArray<AuthorizationRequirement> Requirements { get; init; } = [];

    /// <summary>A2A: the agent serves an authenticated extended card (<c>capabilities.extendedAgentCard</c>).</summary>
    public bool? ExtendedCard { get; init; }

    public bool Equals(AgentAuthorization? other) =>
        other is not null && Required == other.Required && CredentialsSent == other.CredentialsSent && Error == other.Error && Resource == other.Resource
        && ResourceName == other.ResourceName && MetadataUrl == other.MetadataUrl && MetadataProblem == other.MetadataProblem
        && ExtendedCard == other.ExtendedCard
        && Same(AuthorizationServers, other.AuthorizationServers) && Same(ScopesSupported, other.ScopesSupported)
        && Same(ScopesRequired, other.ScopesRequired) && Same(Schemes, other.Schemes) && Same(Requirements, other.Requirements);

    public override int GetHashCode() => HashCode.Combine(Required, MetadataUrl, AuthorizationServers.IsDefault ? 0 : AuthorizationServers.Length);

    private static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) => (a.IsDefault ? [] : a).SequenceEqual(b.IsDefault ? [] : b);
}
