using AgentLens.Operator.Cards;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The crawler as the operator wires it, over a real HTTP stack.</summary>
internal sealed class CrawlerHarness : IDisposable
{
    private readonly HttpClient http;
    private readonly HttpMessageHandler mcpHandler;

    /// <param name="verifier">Instead of the operator's own: a test's stand-in for one that misbehaves.</param>
    /// <param name="credentials">What reads credentials Secrets (none: an agent naming one fails as the operator's would without the reader).</param>
    public CrawlerHarness(Action<CrawlOptions>? configure = null, TrustOptions? trust = null, ISignatureVerifier? verifier = null, ICredentialReader? credentials = null)
    {
        var options = new OperatorOptions();
        // Tests opt in to their loopback agents on 127.0.0.1; stand-ins for internal services (127.0.0.2+) stay denied.
        options.Crawl.AllowCidrs = ["127.0.0.1/32"];
        configure?.Invoke(options.Crawl);
        http = new HttpClient(HttpFetcher.CreateHandler(options.Crawl)) { Timeout = Timeout.InfiniteTimeSpan };
        Fetcher = new HttpFetcher(http, TimeProvider.System, options.Crawl);
        var metrics = TestMeterFactory.NewMetrics();
        // As the operator wires it: A2A signatures checked against the trust options given (none: NoTrustRoots).
        Verifier = new SignatureVerifier(new TrustRoots(trust ?? new TrustOptions()), trust ?? new TrustOptions(), Fetcher, options.Crawl, metrics);
        Crawler = new Crawler(Fetcher, new McpIntrospector(mcpHandler = HttpFetcher.CreateHandler(options.Crawl), options.Crawl, metrics), [new A2aCardParser(), new McpCardParser()], TimeProvider.System, options.Crawl, metrics, verifier ?? Verifier, credentials);
    }

    public HttpFetcher Fetcher { get; }
    public SignatureVerifier Verifier { get; }
    public Crawler Crawler { get; }

    public static DiscoveredAgent Agent(Protocol protocol, string baseUrl, string? cardPath = null, TimeSpan? timeout = null)
    {
        var endpoint = AgentEndpoint.Normalize(baseUrl);
        return new DiscoveredAgent
        {
            Protocol = protocol,
            Endpoint = endpoint,
            CardUrls = WellKnownPaths.CardUrls(protocol, endpoint, cardPath),
            McpUrl = protocol == Protocol.Mcp ? WellKnownPaths.McpUrl(endpoint, null) : null,
            Source = new SourceRef { Type = SourceType.Static, Name = "test" },
            Timeout = timeout,
        };
    }

    public Task<CrawlResult> CrawlAsync(DiscoveredAgent agent, string? etag = null) =>
        Crawler.CrawlOneAsync(new CrawlRequest(agent, etag), CancellationToken.None);

    public void Dispose()
    {
        http.Dispose();
        mcpHandler.Dispose();
    }
}
