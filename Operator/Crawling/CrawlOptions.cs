using System.ComponentModel.DataAnnotations;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>The crawler's limits; bound from <c>AgentLens:Crawl</c> and validated with the other options at start-up.</summary>
internal sealed class CrawlOptions
{
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "crawl timeout must be between 10ms and 10m")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "crawl maxBytes must be between 1 KiB and 64 MiB")]
    public int MaxBytes { get; set; } = 256 * 1024;

    /// <summary>Agents crawled at once; 0 (the default) sizes it to the crawl (<see cref="ConcurrencyFor"/>).</summary>
    [Range(0, 4096, ErrorMessage = "crawl concurrency must be between 0 (automatic) and 4096")]
    public int Concurrency { get; set; }

    /// <summary>
    /// The concurrency for a crawl of <paramref name="agents"/>: the option when set, else one fetch in flight
    /// per 8 agents, between 64 and 1,024 — chosen by measurement (make bench, make bench-scale): 256 was best
    /// of 16…512 at 2,000 agents (512 slower on two cores), and at 10,000 agents 1,024 brought the steady
    /// cycle from 2.9x to 1.4x its floor, because dead and slow agents hold their slots for seconds.
    /// </summary>
    public int ConcurrencyFor(int agents) => Concurrency > 0 ? Concurrency : Math.Clamp(agents / 8, 64, 1024);

    [Range(1, 4096, ErrorMessage = "crawl perHostConcurrency must be between 1 and 4096")]
    public int PerHostConcurrency { get; set; } = 4;

    [Range(0, 10, ErrorMessage = "crawl maxRedirects must be between 0 and 10")]
    public int MaxRedirects { get; set; } = 3;

    /// <summary>The most any agent's own timeout (annotation or static entry) may ask for; larger values are capped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "crawl maxTimeout must be between 10ms and 10m")]
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One deadline for all of an agent's requests in a cycle: cards, MCP session and every page.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "crawl agentBudget must be between 10ms and 10m")]
    public TimeSpan AgentBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The crawl phase of a cycle ends by then: agents not yet crawled, and agents still being crawled (those
    /// are cancelled and not waited for), keep their entries as they are and are crawled next cycle. Bounds the
    /// whole cycle whatever an agent does, so /healthz never mistakes a slow agent for a stuck loop.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "crawl cycleBudget must be between 1s and 1h")]
    public TimeSpan CycleBudget { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Addresses never connected to, on top of the built-in deny list (CIDRs; a single address is a /32 or /128).</summary>
    public List<string> DenyCidrs { get; set; } = [];

    /// <summary>Exceptions to the built-in deny list (loopback, link-local, metadata); never to <see cref="DenyCidrs"/>.</summary>
    public List<string> AllowCidrs { get; set; } = [];

    /// <summary>Let an ExternalName Service name a Service of another namespace (<c>*.svc</c>).</summary>
    public bool AllowCrossNamespaceExternalName { get; set; }

    /// <summary>
    /// Read the Secret a Service names in <c>agentlens.io/credentials-secret</c> (its own namespace, key <c>token</c>)
    /// and introspect with that token. Off: the annotation is ignored and the operator needs no access to Secrets.
    /// </summary>
    public bool CredentialsSecrets { get; set; }

    /// <summary>Directories a static source's bearerTokenFile may be read from; empty means <see cref="TokenFile.DefaultDirectories"/>.</summary>
    public List<string> TokenDirectories { get; set; } = [];

    public IReadOnlyList<string> EffectiveTokenDirectories => TokenDirectories.Count > 0 ? TokenDirectories : TokenFile.DefaultDirectories;
}
