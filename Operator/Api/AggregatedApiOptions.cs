using System.ComponentModel.DataAnnotations;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api;

/// <summary>The AgentType API served to the Kubernetes aggregation layer; bound from <c>AgentLens:ApiServer</c>.</summary>
internal sealed class AggregatedApiOptions
{
    /// <summary>Where the TLS port for the aggregation layer listens; "0" turns it off.</summary>
    [RegularExpression(ListenAddress.Pattern, ErrorMessage = "apiServer bindAddress must be [host]:port or 0")]
    public string BindAddress { get; set; } = ":8443";

    /// <summary>PEM serving certificate (its chain may follow); empty: a self-signed one is made at start-up.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>How long a SubjectAccessReview decision is reused (Kubernetes' webhook authorizer default is 10s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "apiServer authorizationCacheTtl must be between 0 and 10m")]
    public TimeSpan AuthorizationCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TLS handshakes at once on the port (others wait their turn): handshakes need no authentication and
    /// cost CPU, so a crowd of them must not starve the probes. 0: half the cores, at least one.
    /// </summary>
    [Range(0, 1024, ErrorMessage = "apiServer maxConcurrentHandshakes must be between 0 and 1024")]
    public int MaxConcurrentHandshakes { get; set; }

    public int EffectiveMaxConcurrentHandshakes => MaxConcurrentHandshakes > 0 ? MaxConcurrentHandshakes : Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Interval of BOOKMARK events on watches that allow them.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "apiServer bookmarkInterval must be between 100ms and 10m")]
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rules between these options, which attributes cannot express; checked at start-up.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrEmpty(CertFile) != string.IsNullOrEmpty(KeyFile))
        {
            yield return "apiServer certFile and keyFile must be given together";
        }

        foreach (var file in new[] { CertFile, KeyFile }.Where(f => !string.IsNullOrEmpty(f) && !File.Exists(f)))
        {
            yield return $"apiServer: '{file}' does not exist";
        }
    }
}
