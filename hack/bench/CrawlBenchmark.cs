using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentLens.Operator;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using Microsoft.Extensions.Options;

namespace AgentLens.Bench;

/// <summary>
/// `make bench-crawl`: 1,000 loopback agents (latency 20–100 ms, 2 % never answering, timeout 2 s) crawled
/// at the default concurrency and at concurrency 1; prints both times and their ratio.
/// </summary>
internal static class CrawlBenchmark
{
    public static async Task RunAsync(int agents)
    {
        var random = new Random(42);
        var latencies = Enumerable.Range(0, agents)
            .Select(_ => random.NextDouble() < 0.02 ? (TimeSpan?)null : TimeSpan.FromMilliseconds(random.Next(20, 101)))
            .ToArray();
        await using var servers = await LoopbackAgents.StartAsync(agents, i => latencies[i]);
        var requests = servers.Ports
            .Select(port => AgentEndpoint.Normalize($"http://127.0.0.1:{port}"))
            .Select(endpoint => new CrawlRequest(new DiscoveredAgent
            {
                Protocol = Protocol.A2a,
                Endpoint = endpoint,
                CardUrls = WellKnownPaths.CardUrls(Protocol.A2a, endpoint, null),
                Source = new SourceRef { Type = SourceType.Static, Name = endpoint },
            }))
            .ToList();
        Console.WriteLine($"crawl benchmark: {agents} loopback agents, latency 20-100 ms, {latencies.Count(l => l is null)} never answering, timeout 2s");

        var automatic = new CrawlOptions().ConcurrencyFor(requests.Count);
        var concurrent = await TimeAsync(requests, automatic);
        Console.WriteLine($"crawl time at concurrency {automatic} (the default for {requests.Count} agents): {concurrent.Elapsed.TotalSeconds:F2} s ({concurrent.Ok} ok, {concurrent.Failed} failed)");
        var sequential = await TimeAsync(requests, 1);
        Console.WriteLine($"crawl time at concurrency 1 (sequential): {sequential.Elapsed.TotalSeconds:F2} s ({sequential.Ok} ok, {sequential.Failed} failed)");
        Console.WriteLine($"ratio default/sequential: {concurrent.Elapsed.TotalSeconds / sequential.Elapsed.TotalSeconds:F3} (sequential is {sequential.Elapsed.TotalSeconds / concurrent.Elapsed.TotalSeconds:F1}x slower)");
    }

    private static async Task<(TimeSpan Elapsed, int Ok, int Failed)> TimeAsync(IReadOnlyList<CrawlRequest> requests, int concurrency)
    {
        var options = new OperatorOptions { Crawl = { Timeout = TimeSpan.FromSeconds(2), Concurrency = concurrency, PerHostConcurrency = Math.Min(4, concurrency), AllowCidrs = ["127.0.0.1/32"] } };
        using var http = new HttpClient(HttpFetcher.CreateHandler(options.Crawl)) { Timeout = Timeout.InfiniteTimeSpan };
        using var meters = new BenchMeterFactory();
        var fetcher = new HttpFetcher(http, TimeProvider.System, options.Crawl);
        var metrics = new Metrics(meters);
        var crawler = new Crawler(fetcher, new McpIntrospector(HttpFetcher.CreateHandler(options.Crawl), options.Crawl, metrics), [new A2aCardParser(), new McpCardParser()], TimeProvider.System, options.Crawl, metrics);
        var watch = Stopwatch.StartNew();
        var results = await crawler.CrawlAsync(requests, CancellationToken.None);
        watch.Stop();
        var ok = results.Count(r => r.Outcome is CardFetched);
        return (watch.Elapsed, ok, results.Count - ok);
    }
}

internal sealed class BenchMeterFactory : IMeterFactory
{
    private readonly List<Meter> meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        meters.Add(meter);
        return meter;
    }

    public void Dispose() => meters.ForEach(m => m.Dispose());
}
