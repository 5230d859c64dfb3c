using System.ComponentModel.DataAnnotations;

namespace AgentLens.Operator.Crawling;

/// <summary>Which keys may sign agent cards; bound from <c>AgentLens:Trust</c>.</summary>
internal sealed class TrustOptions
{
    /// <summary>A JWKS document (mounted file), re-read when it changes; empty: no trust roots.</summary>
    public string? JwksPath { get; set; }

    /// <summary>
    /// Where a signature's <c>jku</c> may point (<see cref="JkuAllowEntry"/>): <c>URL</c> for every agent, or
    /// <c>ns1+ns2=URL</c> for agents of those namespaces only; any other <c>jku</c> is never fetched.
    /// </summary>
    public List<string> JkuAllow { get; set; } = [];

    /// <summary>Distinct <c>jku</c> URLs fetched per cycle at most; a signature naming one more gets a verdict, not a fetch.</summary>
    [Range(1, 1024, ErrorMessage = "trust maxJkuPerCycle must be between 1 and 1024")]
    public int MaxJkuPerCycle { get; set; } = 32;
}
