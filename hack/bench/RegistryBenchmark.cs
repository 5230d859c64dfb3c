using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AgentLens.Operator;
using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Registry;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Sources;
using k8s;

namespace AgentLens.Bench;

/// <summary>
/// `make bench-registry`: an IDE paging through the MCP Registry API — the whole list at limit 100 over
/// <c>entries</c> MCP servers, each page timed end to end over loopback HTTP — and the floor: the same
/// server answering a page's bytes already rendered. Prints p50/p99/max per page of both and the ratio.
/// Bounded: a warm-up pass and five timed passes.
/// </summary>
internal static class RegistryBenchmark
{
    private const int Passes = 5;

    public static async Task RunAsync(int entries)
    {
        var feed = new CatalogFeed(new CacheOptions { HistorySize = 1000, WatcherBuffer = 100_000, HistoryAge = TimeSpan.FromHours(1) }, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < entries; i++)
        {
            var entry = new AgentType
            {
                Metadata = new AgentMetadata { Name = $"mcp-{i:D5}", Namespace = "catalog" },
                Spec = new AgentSpec { Protocol = Protocol.Mcp, Endpoint = $"http://mcp-{i:D5}.team-{i % 50}.svc.cluster.local:8080/mcp", Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = $"team-{i % 50}", Name = $"mcp-{i:D5}" } },
                Status = new AgentStatus
                {
                    Lifecycle = Lifecycle.Active,
                    DisplayName = $"io.example.team{i % 50}/server-{i:D5}",
                    Description = "Looks things up in the team's documents and tickets, and files new ones when asked to",
                    Version = "1.2.3",
                    Provider = new Provider(null, "https://github.com/example/mcp-servers"),
                    Capabilities = [new Capability { Kind = CapabilityKinds.McpTool, Name = "search" }],
                    Conditions = [new Condition { Type = ConditionTypes.Discovered, Status = ConditionStatus.True, Reason = "Found", LastTransitionTime = now }],
                },
            };
            feed.Put(new StoredEntry { Name = entry.Metadata.Name, Namespace = "catalog", ResourceVersion = "1", IsPush = false, Entry = entry });
        }

        feed.MarkSynced();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => Listeners.Tag(l, RegistryApi.Listener)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IKubernetes>(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
        builder.Services.AddSingleton(new ApiOptions { Auth = "none" });
        builder.Services.AddSingleton(new AggregatedApiOptions());
        builder.Services.AddSingleton(new StoreNamespace("catalog"));
        builder.Services.AddSingleton(new SourceOptions());
        builder.Services.AddSingleton(new Metrics(new NoMeters()));
        builder.Services.AddSingleton(new RegistryOptions { BindAddress = "127.0.0.1:0" });
        builder.Services.AddSingleton<ICatalogView>(new CatalogView(feed));
        builder.AddCatalogApi();
        builder.AddRegistryApi();
        await using var app = builder.Build();
        app.MapRegistryApi();
        byte[] floorBody = [];
        app.MapGet("/floor", () => Results.Bytes(floorBody, "application/json"));
        await app.StartAsync();
        var baseUrl = app.Urls.First().TrimEnd('/');
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Wait for the registry view to hold every entry (bounded).
        for (var deadline = Stopwatch.StartNew(); deadline.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100))
        {
            var body = await http.GetStringAsync($"{baseUrl}/v0.1/servers?limit=1&search=server-{entries - 1:D5}");
            if (body.Contains("\"count\":1", StringComparison.Ordinal))
            {
                break;
            }
        }

        floorBody = await http.GetByteArrayAsync($"{baseUrl}/v0.1/servers?limit=100");
        var pages = new List<double>();
        var floor = new List<double>();
        var served = 0;
        for (var pass = 0; pass <= Passes; pass++)
        {
            string? cursor = null;
            do
            {
                var sw = Stopwatch.StartNew();
                var body = await http.GetByteArrayAsync($"{baseUrl}/v0.1/servers?limit=100" + (cursor is null ? string.Empty : "&cursor=" + cursor));
                var ms = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                await http.GetByteArrayAsync($"{baseUrl}/floor");
                var floorMs = sw.Elapsed.TotalMilliseconds;
                using var doc = JsonDocument.Parse(body);
                cursor = doc.RootElement.GetProperty("metadata").TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
                if (pass > 0)
                {
                    // Pass 0 warms up.
                    pages.Add(ms);
                    floor.Add(floorMs);
                    served += doc.RootElement.GetProperty("servers").GetArrayLength();
                }
            }
            while (cursor is not null);
        }

        await app.StopAsync();
        Console.WriteLine($"registry: {entries} MCP servers, {Passes} passes at limit=100 ({pages.Count} pages, {served} servers served, {floorBody.Length / 1024} KiB a page)");
        Console.WriteLine($"  page   p50 {P(pages, 50):F2} ms  p99 {P(pages, 99):F2} ms  max {pages.Max():F2} ms  (goal p99 <= 20 ms)");
        Console.WriteLine($"  floor  p50 {P(floor, 50):F2} ms  p99 {P(floor, 99):F2} ms  max {floor.Max():F2} ms  (the same bytes, pre-rendered)");
        Console.WriteLine($"  p99 page / p99 floor: {P(pages, 99) / P(floor, 99):F1}x");
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private sealed class NoMeters : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
