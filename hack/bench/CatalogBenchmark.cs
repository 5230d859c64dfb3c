using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;

namespace AgentLens.Bench;

/// <summary>
/// `make bench` (2,000 annotated Services in 200 namespaces) and `make bench-scale` (10,000 in 500): each an
/// ExternalName for a loopback agent (10–50 ms; 5 % answer after 1 s; 2 % never answer, 2 s timeout), the
/// operator as its own process on the real API server. First the floors, measured in the same run: one
/// paginated list of the Services, the slowest single fetch (a dead agent's timeout), and N ConfigMap creates
/// at the API server's best parallelism. Then the operator with default options: first and steady cycle,
/// each beside its floor (`x floor`), the phase breakdown, API requests per steady cycle by verb, RSS after
/// cycles 1, 5 and 20 and the peak; `make bench` adds the first cycle across crawl concurrencies 16…512 and
/// at concurrency 1 (the `speedup`).
/// </summary>
internal static class CatalogBenchmark
{
    private static readonly TimeSpan DeadTimeout = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(int services, int namespaces, bool scale, int? cyclesWanted = null)
    {
        var random = new Random(7);
        var latencies = Enumerable.Range(0, services).Select(_ => random.NextDouble() switch
        {
            < 0.02 => (TimeSpan?)null,
            < 0.07 => TimeSpan.FromSeconds(1),
            _ => TimeSpan.FromMilliseconds(random.Next(10, 51)),
        }).ToArray();
        // At scale, 20 agents share each port under their own paths (a gateway's shape), to stay within file limits.
        await using var agents = await LoopbackAgents.StartAsync(services, i => latencies[i], perPort: scale ? 20 : 1);
        var root = FindRoot();
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-bench-{Environment.ProcessId}");
        var kubeconfig = (await Run(Path.Combine(root, "hack", "controlplane.sh"), "start", dir)).Trim().Split('\n')[^1];
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            Console.WriteLine($"catalog benchmark: {services} annotated Services in {namespaces} namespaces; agents 10-50 ms, 5% at 1 s, {latencies.Count(l => l is null)} dead (timeout {DeadTimeout.TotalSeconds:F0} s); {Environment.ProcessorCount} cores");
            await SetUpAsync(client, agents, services, namespaces);

            // AGENTLENS_BENCH_QUICK=1: the main run only (no curve, no sequential run, no create floor), to compare settings.
            var quick = Environment.GetEnvironmentVariable("AGENTLENS_BENCH_QUICK") == "1";
            var list = await ListFloorAsync(client);
            var creates = quick ? 0 : await CreateFloorAsync(client, services);
            var steadyFloor = list + DeadTimeout.TotalSeconds;
            var firstFloor = list + Math.Max(DeadTimeout.TotalSeconds, creates);
            Console.WriteLine($"floor: one paginated list of the Services {list:F2} s; slowest single fetch {DeadTimeout.TotalSeconds:F2} s (a dead agent's timeout); {services} ConfigMap creates at the API server's best parallelism {creates:F2} s");
            Console.WriteLine($"floor: steady cycle {steadyFloor:F2} s (list + slowest fetch); first cycle {firstFloor:F2} s (list + the larger of slowest fetch and creates)");

            var curve = new Dictionary<int, double>();
            if (!scale && !quick)
            {
                foreach (var concurrency in (int[])[16, 32, 64, 128, 256, 512])
                {
                    curve[concurrency] = await FirstCycleOnceAsync(root, kubeconfig, client, $"bench-c{concurrency}", "--crawl-concurrency", $"{concurrency}");
                    Console.WriteLine($"concurrency curve: {concurrency,3}: first cycle {curve[concurrency]:F2} s, {curve[concurrency] / firstFloor:F2} x floor");
                }
            }

            var (cycles, peak, heap) = await MainRunAsync(root, kubeconfig, client, scale ? "30s" : "6s", cyclesWanted ?? (scale ? 8 : 20));
            var first = cycles[0];
            var steady = cycles.Skip(4).ToList();
            var steadySeconds = Median(steady.Select(c => c.Seconds));
            Console.WriteLine($"first cycle (default options): {first.Seconds:F2} s, {first.Seconds / firstFloor:F2} x floor (goal <= 1.5), {first.Writes} writes; phases {first.Phases}");
            Console.WriteLine($"steady cycle (default options, median of cycles 5-{cycles.Count}): {steadySeconds:F2} s, {steadySeconds / steadyFloor:F2} x floor (goal <= {(scale ? "1.5" : "1.3")}), writes {string.Join(",", steady.Select(c => c.Writes).Distinct())}; phases {steady[^1].Phases}");
            var perCycle = steady.Skip(1).Zip(steady, (after, before) => after.Requests.ToDictionary(r => r.Key, r => r.Value - before.Requests.GetValueOrDefault(r.Key))).Last();
            Console.WriteLine($"API requests per steady cycle: {string.Join(", ", perCycle.Where(r => r.Value > 0).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"))} (the Service list pages, no list of the catalog, one status write)");
            PrintMemory(services, cycles, peak, heap, peakGoalMb: scale ? 150 : 100);

            if (!scale && !quick)
            {
                var sequential = await FirstCycleOnceAsync(root, kubeconfig, client, "bench-sequential", "--crawl-concurrency", "1", "--crawl-per-host-concurrency", "1", "--crawl-cycle-budget", "10m");
                Console.WriteLine($"first cycle at concurrency 1 (sequential): {sequential:F2} s; speedup of the default over it: {sequential / first.Seconds:F1}x (goal >= 50)");
                Console.WriteLine($"concurrency 256: first cycle {curve[256]:F2} s, {curve[256] / firstFloor:F2} x floor (goal <= 1.3)");
            }
        }
        finally
        {
            await Run(Path.Combine(root, "hack", "controlplane.sh"), "stop", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static async Task SetUpAsync(Kubernetes client, LoopbackAgents agents, int services, int namespaces)
    {
        var watch = Stopwatch.StartNew();
        var names = Enumerable.Range(0, namespaces).Select(i => $"bench-{i:D3}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (ns, ct) =>
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: ct));
        await Parallel.ForEachAsync(Enumerable.Range(0, services), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var (port, path) = agents.Address(i);
            var annotations = new Dictionary<string, string>
            {
                ["agentlens.io/type"] = "a2a",
                ["agentlens.io/port"] = port.ToString(CultureInfo.InvariantCulture),
                ["agentlens.io/team"] = $"team-{i % 10}",
            };
            if (path.Length > 0)
            {
                annotations["agentlens.io/path"] = path;
            }

            await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = $"agent-{i:D5}", Annotations = annotations },
                Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
            }, names[i % namespaces], cancellationToken: ct);
        });
        Console.WriteLine($"setup: {services} Services created in {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The best of three paginated lists of every Service (500 a page, as the operator lists them).</summary>
    private static async Task<double> ListFloorAsync(Kubernetes client)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            string? next = null;
            do
            {
                var page = await client.CoreV1.ListServiceForAllNamespacesAsync(limit: 500, continueParameter: next);
                next = string.IsNullOrEmpty(page.Metadata.ContinueProperty) ? null : page.Metadata.ContinueProperty;
            }
            while (next is not null);
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>N throwaway ConfigMaps of an entry's size, created at the parallelism this API server does best, then removed.</summary>
    private static async Task<double> CreateFloorAsync(Kubernetes client, int count)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench-floor" } });
        var body = new string('x', 1500);
        var best = double.MaxValue;
        foreach (var parallelism in (int[])[64, 32, 16, 8])
        {
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
                await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"floor-{parallelism}-{i}" }, Data = new Dictionary<string, string> { ["d"] = body } },
                    "bench-floor", cancellationToken: ct));
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
            Console.WriteLine($"floor: {count} ConfigMap creates {parallelism} at a time: {watch.Elapsed.TotalSeconds:F2} s");
            await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("bench-floor");
        }

        return best;
    }

    /// <summary>One --once cycle on a fresh store namespace; its duration as the operator logged it.</summary>
    private static async Task<double> FirstCycleOnceAsync(string root, string kubeconfig, Kubernetes client, string store, params string[] args)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = store } });
        await using var run = OperatorRun.Start(root, kubeconfig, store, ["--once", .. args]);
        return (await run.NextCycleAsync(TimeSpan.FromMinutes(12))).Seconds;
    }

    /// <summary>The memory figures, each on its own line with its goal (MB are 10^6 bytes, as the goals are written).</summary>
    private static void PrintMemory(int services, List<Cycle> cycles, long peakKiB, HeapReport? heap, int peakGoalMb)
    {
        static string Mib(long kib) => $"{kib / 1024.0:F0} MiB ({kib * 1024 / 1e6:F0} MB)";
        var (fifth, last) = (cycles[4].RssKiB, cycles[^1].RssKiB);
        var drift = last / (double)fifth;
        Console.WriteLine($"operator RSS after cycle 1: {Mib(cycles[0].RssKiB)}; after cycle 2: {Mib(cycles[1].RssKiB)}");
        Console.WriteLine($"GC (runtime meter) at cycle {cycles.Count}: heap after the last GC {cycles[^1].Gc.HeapBytes / 1e6:F1} MB, committed {cycles[^1].Gc.CommittedBytes / 1e6:F1} MB; RSS {Mib(cycles[^1].RssKiB)}");
        Console.WriteLine($"peak RSS (VmHWM): {Mib(peakKiB)} (goal <= {peakGoalMb} MB: {(peakKiB * 1024 <= peakGoalMb * 1_000_000L ? "met" : "missed")})");
        Console.WriteLine($"RSS at cycle 5: {Mib(fifth)}; at cycle {cycles.Count} (last): {Mib(last)}; last/5 {drift:F2} (goal flat within 10 %: {(Math.Abs(drift - 1) <= 0.10 ? "met" : "missed")})");
        if (heap is null)
        {
            Console.WriteLine("live heap: not measured (dotnet tool install -g dotnet-gcdump)");
            return;
        }

        Console.WriteLine($"live managed heap after cycle {cycles.Count} (dotnet-gcdump): {heap.Bytes / 1e6:F1} MB in {heap.Objects:N0} objects (printed beside RSS: peak {Mib(peakKiB)})");
        Console.WriteLine($"bytes per entry: {heap.Bytes / (double)services:F0} (the whole live heap / {services} entries, its fixed part included)");
        Console.WriteLine($"largest types on the live heap:\n{heap.Top}");
    }

    private static async Task<(List<Cycle> Cycles, long PeakKiB, HeapReport? Heap)> MainRunAsync(string root, string kubeconfig, Kubernetes client, string pollInterval, int count)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench-main" } });
        await using var run = OperatorRun.Start(root, kubeconfig, "bench-main", "--poll-interval", pollInterval);
        var cycles = new List<Cycle>();
        while (cycles.Count < count)
        {
            cycles.Add(await run.NextCycleAsync(TimeSpan.FromMinutes(5)));
        }

        // The peak before the heap dump, whose walk of the heap is not the operator's own memory.
        var peak = run.PeakRssKiB();
        return (cycles, peak, await run.HeapReportAsync());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
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
