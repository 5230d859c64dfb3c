using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace AgentLens.Bench;

/// <summary>One cycle as the operator logged it, with what the bench saw of the process right then.</summary>
internal sealed record Cycle(int Number, double Seconds, int Writes, string Phases, long RssKiB, IReadOnlyDictionary<string, long> Requests, GcFigures Gc);

/// <summary>What the runtime's meter said at the end of a cycle: the heap after the last GC and what the GC had committed.</summary>
internal sealed record GcFigures(long HeapBytes, long CommittedBytes);

/// <summary>
/// The operator as its own process (from the Release build), its JSON log read line by line: each cycle's
/// summary and phases, its RSS when the cycle ended, and the API requests it counted (from /metrics).
/// </summary>
internal sealed class OperatorRun : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<(double Seconds, int Writes, string Phases)> summaries = Channel.CreateUnbounded<(double, int, string)>();
    private readonly int metricsPort;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private string lastPhases = string.Empty;
    private int cycles;

    private OperatorRun(Process process, int metricsPort)
    {
        this.process = process;
        this.metricsPort = metricsPort;
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Console.Error.WriteLine($"operator: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => process.Id;

    public static OperatorRun Start(string root, string kubeconfig, string storeNamespace, params string[] args)
    {
        var metricsPort = FreePort();
        var dll = Path.Combine(root, "Operator", "bin", "Release", "net10.0", "AgentLens.Operator.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // AGENTLENS_BENCH_OPERATOR_ENV="DOTNET_gcServer=0,DOTNET_GCConserveMemory=5" compares runtime settings.
        foreach (var pair in (Environment.GetEnvironmentVariable("AGENTLENS_BENCH_OPERATOR_ENV") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            info.Environment[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        foreach (var arg in (string[])[dll, "--kubeconfig", kubeconfig, "--store-namespace", storeNamespace, "--static-sources", "/nonexistent", "--leader-elect=false",
            "--crawl-allow-cidrs", "127.0.0.1/32", "--crawl-timeout", "2s", "--log-format", "json", "--metrics-bind-address", $"127.0.0.1:{metricsPort}",
            "--health-probe-bind-address", "127.0.0.1:0", "--api-bind-address", $"127.0.0.1:{FreePort()}", "--apiserver-bind-address", "0", .. args,
            // AGENTLENS_BENCH_OPERATOR_ARGS="--crawl-concurrency 1024" compares options (the last of a flag wins).
            .. (Environment.GetEnvironmentVariable("AGENTLENS_BENCH_OPERATOR_ARGS") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)])
        {
            info.ArgumentList.Add(arg);
        }

        return new OperatorRun(Process.Start(info)!, metricsPort);
    }

    /// <summary>The next cycle's figures; RSS and the request counters are read the moment its summary is logged.</summary>
    public async Task<Cycle> NextCycleAsync(TimeSpan timeout)
    {
        using var cut = new CancellationTokenSource(timeout);
        var (seconds, writes, phases) = await summaries.Reader.ReadAsync(cut.Token);
        var rss = Status("VmRSS:");
        var (requests, gc) = await RequestsAsync();
        return new Cycle(++cycles, seconds, writes, phases, rss, requests, gc);
    }

    public long PeakRssKiB() => Status("VmHWM:");

    /// <summary>The live managed heap by type (dotnet-gcdump, when installed as a global tool): where RSS goes; null without the tool.</summary>
    public async Task<HeapReport?> HeapReportAsync()
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        if (!File.Exists(tool))
        {
            return null;
        }

        var file = Path.Combine(Path.GetTempPath(), $"agentlens-{process.Id}.gcdump");
        await CatalogBenchmark.Run(tool, "collect", "-p", process.Id.ToString(CultureInfo.InvariantCulture), "-o", file);
        var report = await CatalogBenchmark.Run(tool, "report", file);
        File.Delete(file);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "agentlens-heap-report.txt"), report);
        return HeapReport.Parse(report);
    }

    private long Status(string field) =>
        long.Parse(File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>agentlens_apiserver_requests_total by verb, as the operator counts its own requests; and the runtime's GC figures.</summary>
    private async Task<(IReadOnlyDictionary<string, long>, GcFigures)> RequestsAsync()
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        static long Sum(string text, string prefix) => (long)text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        var gc = new GcFigures(Sum(text, "dotnet_gc_last_collection_heap_size_bytes"), Sum(text, "dotnet_gc_last_collection_memory_committed_size_bytes"));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("agentlens_apiserver_requests_total{", StringComparison.Ordinal)))
        {
            var verb = line[(line.IndexOf("verb=\"", StringComparison.Ordinal) + 6)..];
            verb = verb[..verb.IndexOf('"', StringComparison.Ordinal)];
            counts[verb] = (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        return (counts, gc);
    }

    private void Read(string? line)
    {
        if (string.IsNullOrEmpty(line) || line[0] != '{')
        {
            return;
        }

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        if (!root.TryGetProperty("EventId", out var id) || !root.TryGetProperty("State", out var state))
        {
            return;
        }

        switch (id.GetInt32())
        {
            case 52:
                lastPhases = state.GetProperty("Phases").GetString() ?? string.Empty;
                break;
            case 24:
                var seconds = Number(state.GetProperty("Seconds"));
                var writes = (int)Number(state.GetProperty("Writes"));
                summaries.Writer.TryWrite((seconds, writes, lastPhases));
                break;
        }
    }

    private static double Number(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetDouble()
        : double.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
