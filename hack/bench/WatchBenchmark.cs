using System.Diagnostics;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;

namespace AgentLens.Bench;

/// <summary>
/// `make bench-watch`: 1,000 concurrent SSE watchers of a running operator on loopback, on a catalog of
/// 2,000 entries (about 1 MB). All watchers connect at once and take their snapshot while /healthz and
/// /metrics are polled: prints the probes' p99 before (the baseline) and during the burst, and their ratio.
/// Then one entry changes: prints how long until every watcher has the event (p50/p99/max) and the
/// operator's memory per watcher. Last, the same with watchers of the AgentType API through kube-apiserver
/// (the aggregation layer): each lists, watches from the list's version, and waits for one change.
/// </summary>
internal static class WatchBenchmark
{
    /// <summary>How long a burst is left to settle before the held watchers are measured: past the 10 s after which Kestrel's memory pool first evicts idle blocks.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(15);

    public static async Task RunAsync(int watchers, int entries)
    {
        var root = CatalogBenchmark.FindRoot();
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-bench-{Environment.ProcessId}");
        var kubeconfig = (await CatalogBenchmark.Run(Path.Combine(root, "hack", "controlplane.sh"), "start", dir)).Trim().Split('\n')[^1];
        Process? op = null;
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench-watch" } });
            await client.CoreV1.CreateNamespacedConfigMapAsync(Entry("watched", "v0"), "bench-watch");
            await Parallel.ForEachAsync(Enumerable.Range(0, entries - 1), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                await client.CoreV1.CreateNamespacedConfigMapAsync(Entry($"agent-{i:D5}", "skill", new string('d', 400)), "bench-watch", cancellationToken: ct));
            var port = 18000 + Random.Shared.Next(1000);
            var probePort = port + 1000;
            var metricsPort = port + 2000;
            var apiServerPort = port + 3000;
            var dll = Path.Combine(root, "Operator", "bin", "Release", "net10.0", "AgentLens.Operator.dll");
            op = Process.Start(new ProcessStartInfo("dotnet", [dll, "--kubeconfig", kubeconfig, "--store-namespace", "bench-watch", "--namespaces", "bench-watch",
                "--static-sources", "/nonexistent", "--leader-elect=false", "--poll-interval", "1h", "--api-auth", "none", "--api-max-watchers", ((2 * watchers) + 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
                // One user (the aggregator's proxy identity) in one namespace holds every watcher here.
                "--api-watchers-per-user", "1", "--api-watchers-per-namespace", "1", "--api-watcher-reserve", "0",
                "--api-bind-address", $"127.0.0.1:{port}", "--apiserver-bind-address", $"127.0.0.1:{apiServerPort}", "--metrics-bind-address", $"127.0.0.1:{metricsPort}", "--health-probe-bind-address", $"127.0.0.1:{probePort}", "--log-format", "json"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            op.BeginOutputReadLine();
            op.BeginErrorReadLine();
            var url = $"http://127.0.0.1:{port}/api/v1/agents";
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = watchers + 10 }) { Timeout = Timeout.InfiniteTimeSpan };
            await WaitUpAsync(http, url);
            // A few watchers first: what runs once (JIT, the shared renders, thread-pool growth) belongs to the baseline, not to each watcher.
            await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
            {
                using var stream = await OpenSseAsync(http, url);
            }));
            var idle = await SettledAsync(op.Id);

            using var probeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var baseline = await ProbeLatenciesAsync(probeHttp, probePort, metricsPort, Task.Delay(TimeSpan.FromSeconds(3)));
            var streams = new StreamReader[watchers];
            var connecting = Task.WhenAll(Enumerable.Range(0, watchers).Select(async i =>
            {
                streams[i] = new StreamReader(await OpenSseAsync(http, url));
            }));
            var burst = Stopwatch.StartNew();
            var during = await ProbeLatenciesAsync(probeHttp, probePort, metricsPort, connecting);
            Console.WriteLine($"snapshot burst: {watchers} watchers took a {entries}-entry snapshot in {burst.Elapsed.TotalSeconds:F1} s");
            foreach (var (path, index) in new[] { ("/healthz", 0), ("/metrics", 1) })
            {
                Console.WriteLine($"probe {path} p99 during the burst: {P99(during[index]):F1} ms vs {P99(baseline[index]):F1} ms idle (baseline), {P99(during[index]) / P99(baseline[index]):F1}x baseline (target: p99 <= 100 ms)");
            }

            var rightAfter = Rss(op.Id);
            await Task.Delay(SettleTime);
            PrintMemory($"{watchers} SSE watchers", watchers, idle, rightAfter, await SettledAsync(op.Id));

            var received = new double[watchers];
            var clock = Stopwatch.StartNew();
            var waits = streams.Select(async (reader, i) =>
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("event: MODIFIED", StringComparison.Ordinal))
                    {
                        received[i] = clock.Elapsed.TotalMilliseconds;
                        return;
                    }
                }
            }).ToList();
            var current = await client.CoreV1.ReadNamespacedConfigMapAsync("watched", "bench-watch");
            current.Data = Entry("watched", "v1").Data;
            clock.Restart();
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, "watched", "bench-watch");
            await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(60));
            Array.Sort(received);
            Console.WriteLine($"time from the change until each watcher had the event: p50 {received[watchers / 2]:F0} ms, p99 {received[(int)(watchers * 0.99) - 1]:F0} ms, max {received[^1]:F0} ms (target: p99 <= 1000 ms)");
            foreach (var reader in streams)
            {
                reader.Dispose();
            }

            await AggregatedWatchersAsync(client, KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig), Path.Combine(dir, "certs", "apiserver.crt"), op.Id, watchers, apiServerPort);
            Console.WriteLine($"operator peak RSS (VmHWM): {Hwm(op.Id) / 1024} MiB");
        }
        finally
        {
            if (op is { HasExited: false })
            {
                op.Kill(entireProcessTree: true);
            }

            await CatalogBenchmark.Run(Path.Combine(root, "hack", "controlplane.sh"), "stop", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Watchers of <c>/apis/agentlens.io/v1alpha1/…/agenttypes?watch=1</c> through kube-apiserver, which proxies
    /// each to the operator's TLS port (registered here as an APIService on loopback). Each watches from the
    /// list's resourceVersion, as client-go does, so the figure is the change's trip, not a snapshot's.
    /// </summary>
    private static async Task AggregatedWatchersAsync(Kubernetes client, KubernetesClientConfiguration config, string serverCertificate, int pid, int watchers, int apiServerPort)
    {
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "agentlens-api" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1", Ports = [new V1ServicePort { Port = apiServerPort }] },
        }, "bench-watch");
        await client.ApiregistrationV1.CreateAPIServiceAsync(new V1APIService
        {
            Metadata = new V1ObjectMeta { Name = "v1alpha1.agentlens.io" },
            Spec = new V1APIServiceSpec
            {
                Group = "agentlens.io",
                Version = "v1alpha1",
                GroupPriorityMinimum = 1000,
                VersionPriority = 15,
                InsecureSkipTLSVerify = true,
                Service = new Apiregistrationv1ServiceReference { Name = "agentlens-api", NamespaceProperty = "bench-watch", Port = apiServerPort },
            },
        });
        using var pinned = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(serverCertificate);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = watchers + 10,
            // The local control plane's self-signed serving certificate, pinned.
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == pinned.GetCertHashString() },
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config.AccessToken);
        var collection = $"{config.Host.TrimEnd('/')}/apis/agentlens.io/v1alpha1/namespaces/bench-watch/agenttypes";
        string? version = null;
        for (var i = 0; i < 600 && version is null; i++)
        {
            using var list = await http.GetAsync(collection);
            if (list.IsSuccessStatusCode)
            {
                using var doc = System.Text.Json.JsonDocument.Parse(await list.Content.ReadAsStreamAsync());
                version = doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
            }
            else
            {
                await Task.Delay(100);
            }
        }

        // The SSE watchers just left: their connections close and are collected before the baseline.
        await Task.Delay(SettleTime);
        var idle = await SettledAsync(pid);
        var readers = await Task.WhenAll(Enumerable.Range(0, watchers).Select(async _ =>
        {
            var response = await http.GetAsync($"{collection}?watch=1&resourceVersion={version}", HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"watch refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            return new StreamReader(await response.Content.ReadAsStreamAsync());
        }));
        await Task.Delay(500);
        var rightAfter = Rss(pid);
        await Task.Delay(SettleTime);
        PrintMemory($"aggregated watch: {watchers} AgentType watchers through kube-apiserver", watchers, idle, rightAfter, await SettledAsync(pid));

        var received = new double[watchers];
        var clock = Stopwatch.StartNew();
        var waits = readers.Select(async (reader, i) =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Contains("\"type\":\"MODIFIED\"", StringComparison.Ordinal))
                {
                    received[i] = clock.Elapsed.TotalMilliseconds;
                    return;
                }
            }
        }).ToList();
        var current = await client.CoreV1.ReadNamespacedConfigMapAsync("watched", "bench-watch");
        current.Data = Entry("watched", "v2").Data;
        clock.Restart();
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, "watched", "bench-watch");
        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(60));
        Array.Sort(received);
        Console.WriteLine($"aggregated watch: time from the change until each watcher had the event: p50 {received[watchers / 2]:F0} ms, p99 {received[(int)(watchers * 0.99) - 1]:F0} ms, max {received[^1]:F0} ms (target: p99 <= 1000 ms)");
        foreach (var reader in readers)
        {
            reader.Dispose();
        }
    }

    /// <summary>An SSE watch of the catalog, read past its snapshot (SYNCED).</summary>
    private static async Task<Stream> OpenSseAsync(HttpClient http, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url + "/watch");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        await SkipPastAsync(stream, "event: SYNCED"u8.ToArray());
        return stream;
    }

    /// <summary>
    /// The operator's RSS and live heap once a burst has settled: dotnet-gcdump runs a full blocking GC in it
    /// first (without the tool, RSS only). Garbage and the GC's allocation budget are then not counted as
    /// the watchers' cost; what the GC keeps committed after a burst still is, in RSS.
    /// </summary>
    private static async Task<(long RssKiB, HeapReport? Heap)> SettledAsync(int pid)
    {
        var heap = await HeapReport.CollectAsync(pid);
        return (Rss(pid), heap);
    }

    /// <summary>
    /// Memory per watcher beside the goal, measured three ways against the settled baseline: RSS right after
    /// the burst (snapshot buffers, the GC's budget), RSS once settled, and the live managed heap once settled
    /// (what a held, idle watcher keeps), with the types that make up the latter.
    /// </summary>
    private static void PrintMemory(string what, int watchers, (long RssKiB, HeapReport? Heap) idle, long rightAfterKiB, (long RssKiB, HeapReport? Heap) held)
    {
        var heap = idle.Heap is { } before && held.Heap is { } after
            ? $", {(after.Bytes - before.Bytes) / 1024.0 / watchers:F1} KiB of live managed heap ({before.Bytes / 1e6:F1} MB -> {after.Bytes / 1e6:F1} MB)"
            : " (live heap not measured: dotnet tool install -g dotnet-gcdump)";
        Console.WriteLine($"{what}: operator memory per watcher (goal <= 4 KiB): right after the burst {(rightAfterKiB - idle.RssKiB) / (double)watchers:F1} KiB of RSS " +
            $"({idle.RssKiB / 1024} MiB -> {rightAfterKiB / 1024} MiB); settled ({SettleTime.TotalSeconds:F0} s later, after a full GC) {(held.RssKiB - idle.RssKiB) / (double)watchers:F1} KiB of RSS{heap}");
        if (idle.Heap is { } b && held.Heap is { } a)
        {
            var file = Path.Combine(Path.GetTempPath(), $"agentlens-watch-heap-{(what.Contains("SSE", StringComparison.Ordinal) ? "sse" : "agenttypes")}.txt");
            File.WriteAllText(file, a.GrowthPer(b, watchers, int.MaxValue));
            Console.WriteLine($"  what each held watcher keeps on the heap, largest first (every type: {file}):\n{a.GrowthPer(b, watchers, 12)}");
        }
    }

    /// <summary>
    /// Reads raw bytes until <paramref name="marker"/> has gone by: the snapshot is a megabyte per watcher, and
    /// parsing it line by line in this process would starve the machine the operator is measured on.
    /// </summary>
    private static async Task SkipPastAsync(Stream stream, byte[] marker)
    {
        var buffer = new byte[64 * 1024];
        var kept = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(kept))) > 0)
        {
            var filled = kept + read;
            if (buffer.AsSpan(0, filled).IndexOf(marker) >= 0)
            {
                return;
            }

            // Keep the tail, in case the marker straddles two reads.
            kept = Math.Min(marker.Length, filled);
            buffer.AsSpan(filled - kept, kept).CopyTo(buffer);
        }
    }

    private static double P99(List<double> samples)
    {
        samples.Sort();
        return samples.Count == 0 ? double.NaN : samples[Math.Max(0, (int)Math.Ceiling(samples.Count * 0.99) - 1)];
    }

    /// <summary>
    /// Polls /healthz and /metrics one after the other until <paramref name="until"/> ends; latencies in ms.
    /// The sampler is a dedicated thread with synchronous requests, so the figures are the operator's, not
    /// this process's thread pool, which is busy reading a thousand streams.
    /// </summary>
    private static async Task<List<double>[]> ProbeLatenciesAsync(HttpClient http, int probePort, int metricsPort, Task until)
    {
        var latencies = new[] { new List<double>(), new List<double>() };
        var sampler = new Thread(() =>
        {
            do
            {
                foreach (var (url, index) in new[] { ($"http://127.0.0.1:{probePort}/healthz", 0), ($"http://127.0.0.1:{metricsPort}/metrics", 1) })
                {
                    var clock = Stopwatch.StartNew();
                    using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
                    response.Content.ReadAsStream().CopyTo(Stream.Null);
                    latencies[index].Add(clock.Elapsed.TotalMilliseconds);
                }

                Thread.Sleep(20);
            }
            while (!until.IsCompleted);
        })
        { IsBackground = true, Name = "probe-sampler" };
        sampler.Start();
        await until;
        sampler.Join();
        return latencies;
    }

    private static V1ConfigMap Entry(string name, string skill, string description = "") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["agentlens.io/catalog"] = "entry", ["agentlens.io/source"] = "push" },
        },
        Data = new Dictionary<string, string>
        {
            ["agenttype.json"] = $$$"""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"{{{name}}}"},"spec":{"protocol":"a2a","endpoint":"https://{{{name}}}.example","source":{"type":"push","name":"{{{name}}}"}},"status":{"lifecycle":"Active","description":"{{{description}}}","capabilities":[{"kind":"a2a.skill","name":"{{{skill}}}"}]}}""",
        },
    };

    private static async Task WaitUpAsync(HttpClient http, string url)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("the operator did not come up");
    }

    private static long Hwm(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Resident memory of a process, in KiB.</summary>
    private static long Rss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
