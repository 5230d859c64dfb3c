using System.Diagnostics;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentLens.Bench;

/// <summary>
/// `make bench`: 2,000 annotated Services in 200 namespaces on a real API server, each an ExternalName for
/// a loopback agent (10–50 ms; 5 % answer after 1 s; 2 % never answer, 2 s timeout). Prints the first-cycle
/// time at the default concurrency, at 256 and at 1, the steady-state cycle time and its writes, peak memory,
/// and the ratio default/sequential.
/// </summary>
internal static class CatalogBenchmark
{
    public static async Task RunAsync(int services, int namespaces)
    {
        var random = new Random(7);
        var latencies = Enumerable.Range(0, services).Select(_ => random.NextDouble() switch
        {
            < 0.02 => (TimeSpan?)null,
            < 0.07 => TimeSpan.FromSeconds(1),
            _ => TimeSpan.FromMilliseconds(random.Next(10, 51)),
        }).ToArray();
        await using var agents = await LoopbackAgents.StartAsync(services, i => latencies[i]);
        var root = FindRoot();
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-bench-{Environment.ProcessId}");
        var kubeconfig = (await Run(Path.Combine(root, "hack", "controlplane.sh"), "start", dir)).Trim().Split('\n')[^1];
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            Console.WriteLine($"catalog benchmark: {services} annotated Services in {namespaces} namespaces; agents 10-50 ms, 5% at 1 s, {latencies.Count(l => l is null)} dead (timeout 2s)");
            var watch = Stopwatch.StartNew();
            var names = Enumerable.Range(0, namespaces).Select(i => $"bench-{i:D3}").ToList();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (ns, ct) =>
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct));
            await Parallel.ForEachAsync(Enumerable.Range(0, services), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
                await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = $"agent-{i:D4}",
                        Annotations = new Dictionary<string, string>
                        {
                            ["agentlens.io/type"] = "a2a",
                            ["agentlens.io/port"] = agents.Ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ["agentlens.io/team"] = $"team-{i % 10}",
                        },
                    },
                    Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
                }, names[i % namespaces], cancellationToken: ct));
            Console.WriteLine($"setup: {services} Services created in {watch.Elapsed.TotalSeconds:F1} s");

            var atDefault = await FirstCycleAsync(client, "bench-store-default", new CrawlOptions().Concurrency);
            var at256 = await FirstCycleAsync(client, "bench-store-256", 256);
            Console.WriteLine($"first cycle at concurrency {new CrawlOptions().Concurrency} (default): {atDefault.First.TotalSeconds:F2} s, {atDefault.Writes} writes");
            Console.WriteLine($"first cycle at concurrency 256: {at256.First.TotalSeconds:F2} s, {at256.Writes} writes");
            Console.WriteLine($"steady cycle at concurrency {new CrawlOptions().Concurrency} (after the dead agents settled Offline): {atDefault.Steady.TotalSeconds:F2} s, steady writes {atDefault.SteadyWrites}");
            Console.WriteLine($"peak memory: working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB (operator and {services} loopback agents in one process), managed heap peak {atDefault.PeakHeapMiB} MiB");
            var sequential = await FirstCycleAsync(client, "bench-store-sequential", 1, steady: false);
            Console.WriteLine($"first cycle at concurrency 1 (sequential): {sequential.First.TotalSeconds:F2} s");
            Console.WriteLine($"ratio default/sequential: {atDefault.First.TotalSeconds / sequential.First.TotalSeconds:F3} (sequential is {sequential.First.TotalSeconds / atDefault.First.TotalSeconds:F1}x slower)");
        }
        finally
        {
            await Run(Path.Combine(root, "hack", "controlplane.sh"), "stop", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record Figures(TimeSpan First, int Writes, TimeSpan Steady, int SteadyWrites, long PeakHeapMiB);

    private static async Task<Figures> FirstCycleAsync(Kubernetes client, string storeNamespace, int concurrency, bool steady = true)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = storeNamespace } });
        var options = new OperatorOptions
        {
            StaticSourcesPath = "/nonexistent",
            Crawl = { Timeout = TimeSpan.FromSeconds(2), Concurrency = concurrency, PerHostConcurrency = Math.Min(4, concurrency), AllowCidrs = ["127.0.0.1/32"] },
        };
        var wrapped = Options.Create(options);
        using var http = new HttpClient(HttpFetcher.CreateHandler(options.Crawl)) { Timeout = Timeout.InfiniteTimeSpan };
        using var meters = new BenchMeterFactory();
        var metrics = new AgentLens.Operator.Metrics(meters);
        var fetcher = new HttpFetcher(http, TimeProvider.System, options.Crawl);
        var reconciler = new Reconciler(
            new ConfigMapCatalogStore(client, storeNamespace, storeRawCard: false),
            [new KubernetesServiceSource(new KubernetesServiceLister(client), options.Sources(), metrics, NullLogger<KubernetesServiceSource>.Instance)],
            new Crawler(fetcher, new McpIntrospector(HttpFetcher.CreateHandler(options.Crawl), options.Crawl), [new A2aCardParser(), new McpCardParser()], TimeProvider.System, options.Crawl, metrics),
            new NoEvents(),
            metrics,
            TimeProvider.System,
            options.Reconcile(),
            NullLogger<Reconciler>.Instance);
        long peakHeap = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                await Task.Delay(50);
            }
        });
        var first = await reconciler.RunOnceAsync(CancellationToken.None);
        CycleReport? steadyReport = null;
        if (steady)
        {
            // The dead agents need offlineAfterFailures cycles to settle Offline; after that nothing changes.
            for (var i = 0; i < options.OfflineAfterFailures; i++)
            {
                await reconciler.RunOnceAsync(CancellationToken.None);
            }

            steadyReport = await reconciler.RunOnceAsync(CancellationToken.None);
        }
        await sampling.CancelAsync();
        await sampler;
        return new Figures(first.Duration, first.Counts.Writes, steadyReport?.Duration ?? TimeSpan.Zero, steadyReport?.Counts.Writes ?? 0, peakHeap / (1024 * 1024));
    }

    /// <summary>Events are not what is measured here.</summary>
    private sealed class NoEvents : IEventRecorder
    {
        public Task RecordAsync(EventTarget target, string reason, string message, bool warning, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal static async Task<string> Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed");
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentLens.Operator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the repository");
    }
}
