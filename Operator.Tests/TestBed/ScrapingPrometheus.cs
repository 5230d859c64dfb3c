using System.Diagnostics;
using System.Text.Json;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// A real Prometheus (Debian's) scraping one loopback metrics port every second, for the tests that read the
/// operator's metrics the way a cluster's monitoring does. Stopped (its process tree killed) on dispose.
/// </summary>
internal sealed class ScrapingPrometheus : IDisposable
{
    private readonly Process process;
    private int disposed;

    private ScrapingPrometheus(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<ScrapingPrometheus> StartAsync(DirectoryInfo work, int metricsPort)
    {
        var config = Path.Combine(work.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: agentlens
                static_configs:
                  - targets: ["127.0.0.1:{metricsPort}"]
            """);
        var port = Tools.FreePort();
        var process = ProcessRunner.Start("/usr/bin/prometheus", $"--config.file={config}", $"--storage.tsdb.path={work.FullName}/data",
            $"--web.listen-address=127.0.0.1:{port}");
        return new ScrapingPrometheus(process, port);
    }

    /// <summary>The instant query's result array, or none while Prometheus is still starting or refuses the query (400).</summary>
    public async Task<JsonElement[]> QueryAsync(HttpClient http, string query)
    {
        try
        {
            var body = await http.GetStringAsync($"http://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(query)}");
            using var doc = JsonDocument.Parse(body);
            return [.. doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.Clone())];
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>Idempotent: a test stops it before deleting its data folder, and its <c>using</c> comes after.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            ProcessRunner.Stop(process);
            process.Dispose();
        }
    }
}
