using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;

namespace AgentLens.Bench;

/// <summary>
/// `make bench-events`: the 2,000-agent setup with --events (and a 5-minute timer, so the timer plays no
/// part); then 1, 20 and 200 more Services are annotated and 1 is deleted, each step timed from the Service
/// write until its catalog entry is written (p50, p99, max), beside a full cycle's time. Last, the timer
/// alone (no --events, a 30 s poll interval): the same single change waits for the next cycle.
/// </summary>
internal static class EventsBenchmark
{
    public static async Task RunAsync(int services, int namespaces)
    {
        const int Extra = 222;
        var random = new Random(7);
        var latencies = Enumerable.Range(0, services + Extra).Select(i => i >= services ? TimeSpan.FromMilliseconds(20) : random.NextDouble() switch
        {
            < 0.02 => (TimeSpan?)null,
            < 0.07 => TimeSpan.FromSeconds(1),
            _ => TimeSpan.FromMilliseconds(random.Next(10, 51)),
        }).ToArray();
        await using var agents = await LoopbackAgents.StartAsync(services + Extra, i => latencies[i]);
        var root = CatalogBenchmark.FindRoot();
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-bench-{Environment.ProcessId}");
        var kubeconfig = (await CatalogBenchmark.Run(Path.Combine(root, "hack", "controlplane.sh"), "start", dir)).Trim().Split('\n')[^1];
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            Console.WriteLine($"events benchmark: {services} annotated Services in {namespaces} namespaces, then changes with --events");
            await CatalogBenchmark.SetUpAsync(client, agents, services, namespaces);
            // The Services the benchmark will announce: present, but without agentlens.io/type yet.
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench-events" } });
            await Parallel.ForEachAsync(Enumerable.Range(0, Extra), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
                await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
                {
                    Metadata = new V1ObjectMeta { Name = $"later-{i:D3}", Annotations = new Dictionary<string, string> { ["agentlens.io/port"] = $"{agents.Address(services + i).Port}" } },
                    Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
                }, "bench-events", cancellationToken: ct));

            await RunWithAsync(root, kubeconfig, client, "store-events", ["--events", "--poll-interval", "5m"], async (written, fullCycle) =>
            {
                await StepAsync(client, written, "1 Service annotated", [0], Announce, fullCycle);
                await StepAsync(client, written, "20 Services annotated", [.. Enumerable.Range(1, 20)], Announce, fullCycle);
                await StepAsync(client, written, "200 Services annotated", [.. Enumerable.Range(21, 200)], Announce, fullCycle);
                await StepAsync(client, written, "1 Service deleted", [0], Delete, fullCycle);
            });
            await RunWithAsync(root, kubeconfig, client, "store-timer", ["--poll-interval", "30s"], async (written, fullCycle) =>
                await StepAsync(client, written, "timer alone (poll interval 30s): 1 Service annotated", [221], Announce, fullCycle));
        }
        finally
        {
            await CatalogBenchmark.Run(Path.Combine(root, "hack", "controlplane.sh"), "stop", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Task Announce(Kubernetes client, int i) =>
        client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"metadata\":{\"annotations\":{\"agentlens.io/type\":\"a2a\"}}}", V1Patch.PatchType.MergePatch), $"later-{i:D3}", "bench-events");

    private static async Task Delete(Kubernetes client, int i)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedServiceAsync($"later-{i:D3}", "bench-events");
        }
        catch (System.Text.Json.JsonException)
        {
            // The test API server (1.20) answers a Service deletion with a body this client cannot read; it is deleted.
        }
    }

    /// <summary>Runs an operator on its own store namespace, records when each entry is written (by its Service's name), and runs the steps.</summary>
    private static async Task RunWithAsync(string root, string kubeconfig, Kubernetes client, string store, string[] args, Func<ConcurrentDictionary<string, (DateTime At, string Lifecycle)>, double, Task> steps)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = store } });
        await using var run = OperatorRun.Start(root, kubeconfig, store, args);
        var first = await run.NextCycleAsync(TimeSpan.FromMinutes(5));
        Console.WriteLine($"{store}: first (full) cycle {first.Seconds:F2} s");
        var written = new ConcurrentDictionary<string, (DateTime, string)>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            try
            {
                var events = client.CoreV1.WatchListNamespacedConfigMapAsync(store, labelSelector: "agentlens.io/catalog=entry", cancellationToken: stop.Token);
                await foreach (var (_, configMap) in events)
                {
                    if (configMap?.Data?.TryGetValue("agenttype.json", out var json) == true && json.Contains("\"namespace\":\"bench-events\"", StringComparison.Ordinal))
                    {
                        var name = json[(json.IndexOf("\"name\":\"later-", StringComparison.Ordinal) + 8)..];
                        written[name[..name.IndexOf('"', StringComparison.Ordinal)]] = (DateTime.UtcNow, configMap.Metadata.Labels["agentlens.io/lifecycle"]);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Done.
            }
        });
        await Task.Delay(500);
        await steps(written, first.Seconds);
        await stop.CancelAsync();
        await watching;
    }

    private static async Task StepAsync(Kubernetes client, ConcurrentDictionary<string, (DateTime At, string Lifecycle)> written, string what, int[] indices, Func<Kubernetes, int, Task> change, double fullCycle)
    {
        var before = indices.ToDictionary(i => $"later-{i:D3}", i => written.TryGetValue($"later-{i:D3}", out var w) ? w.At : DateTime.MinValue);
        var started = new ConcurrentDictionary<string, DateTime>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(indices, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            started[$"later-{i:D3}"] = DateTime.UtcNow;
            await change(client, i);
        });
        for (var deadline = DateTime.UtcNow.AddMinutes(2); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            if (indices.All(i => written.TryGetValue($"later-{i:D3}", out var w) && w.At > before[$"later-{i:D3}"]))
            {
                break;
            }
        }

        var delays = indices.Select(i => written.TryGetValue($"later-{i:D3}", out var w) && w.At > before[$"later-{i:D3}"] ? (w.At - started[$"later-{i:D3}"]).TotalMilliseconds : double.NaN).Order().ToList();
        var all = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{what}: time from the Service write until its entry was written: p50 {delays[delays.Count / 2]:F0} ms, p99 {delays[Math.Max(0, (int)Math.Ceiling(delays.Count * 0.99) - 1)]:F0} ms, max {delays[^1]:F0} ms; all reflected after {all:F2} s = {all / fullCycle:F2}x a full cycle ({fullCycle:F2} s)");
    }
}
