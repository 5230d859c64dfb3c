namespace AgentLens.Operator.Api;

/// <summary>Who reads, and what of the catalog they see; kept in the request's items by the authenticator.</summary>
internal sealed record CatalogReader(UserInfo? User, Visibility Visibility)
{
    public const string Key = "agentlens.reader";

    /// <summary><c>--api-auth none</c>: nobody in particular, everything.</summary>
    public static CatalogReader Open { get; } = new(null, Visibility.All);
}
