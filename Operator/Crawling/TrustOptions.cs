namespace AgentLens.Operator.Crawling;

/// <summary>Which keys may sign agent cards; bound from <c>AgentLens:Trust</c>.</summary>
internal sealed class TrustOptions
{
    /// <summary>A JWKS document (mounted file), re-read when it changes; empty: no trust roots.</summary>
    public string? JwksPath { get; set; }

    /// <summary>URL prefixes a signature's <c>jku</c> may point into; any other <c>jku</c> is never fetched.</summary>
    public List<string> JkuAllow { get; set; } = [];
}
