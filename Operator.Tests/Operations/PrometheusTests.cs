using System.Diagnostics;
using System.Text.Json;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Operations;

/// <summary>A real Prometheus (Debian's) scrapes the running operator on loopback.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class PrometheusTests
{
    private static readonly string[] ExpectedFamilies =
    [
        "agentlens_discovery_cycles_total", "agentlens_discovery_cycle_duration_seconds", "agentlens_discovery_last_success_timestamp_seconds",
        "agentlens_source_agents", "agentlens_crawl_requests_total", "agentlens_crawl_duration_seconds", "agentlens_catalog_entries",
        "agentlens_catalog_writes_total", "agentlens_leader",
    ];

    [Test]
    public async Task Prometheus_ScrapesTheOperator_AndPromtoolFindsNothingWrong()
    {
        Assume.That(File.Exists("/usr/bin/prometheus"), "Debian's prometheus is installed by `make test` (make tools)");
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "prom");
        await using var agent = new SwitchableAgent("Scraped", "s");
        var work = Directory.CreateTempSubdirectory("agentlens-prom-");
        var sources = Path.Combine(work.FullName, "sources.yaml");
        await File.WriteAllTextAsync(sources, $"sources:\n  - {{name: scraped, type: a2a, url: '{agent.BaseUrl}'}}\n");
        var metricsPort = Tools.FreePort();
        using var op = ProcessRunner.Start("dotnet", OperatorProcess.Dll, "--kubeconfig", cp.KubeconfigPath, "--store-namespace", store, "--namespaces", store,
            "--static-sources", sources, "--leader-elect=false", "--poll-interval", "2s", "--crawl-allow-cidrs", "127.0.0.1/32", "--api-bind-address", "0", "--apiserver-bind-address", "0",
            "--metrics-bind-address", $"127.0.0.1:{metricsPort}", "--health-probe-bind-address", "127.0.0.1:0");
        using var prom = await ScrapingPrometheus.StartAsync(work, metricsPort);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            double cycles = 0;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (cycles <= 0 && !deadline.IsCancellationRequested)
            {
                await Task.Delay(500, CancellationToken.None);
                var result = await prom.QueryAsync(http, "sum(agentlens_discovery_cycles_total)");
                if (result.Length > 0)
                {
                    cycles = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                }
            }

            Assert.That(cycles, Is.GreaterThan(0), "Prometheus has agentlens_discovery_cycles_total > 0");

            var exposition = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
            foreach (var family in ExpectedFamilies)
            {
                Assert.That(exposition, Does.Contain($"\n{family}"), family);
            }

            var check = await ProcessRunner.RunAsync("/usr/bin/promtool", ["check", "metrics"], TimeSpan.FromSeconds(30), standardInput: exposition);
            Assert.That(check.ExitCode, Is.Zero, check.StandardOutput + check.StandardError);
            Assert.That((check.StandardOutput + check.StandardError).Trim(), Is.Empty, "promtool reports nothing");
        }
        finally
        {
            ProcessRunner.Stop(op);
            prom.Dispose();
            work.Delete(recursive: true);
        }
    }
}
