using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Operations;

/// <summary>
/// The Grafana dashboard of the chart: every panel's query, as Grafana would send it, answered by a real
/// Prometheus (Debian's) scraping a live operator with at least one series — a panel whose metric was renamed
/// fails here; the chart renders its ConfigMap only when asked; config/ holds the same JSON.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class GrafanaDashboardTests
{
    private static readonly string Chart = Repo.Path("charts", "agentlens-operator");
    private static readonly string Dashboard = Repo.Path("charts", "agentlens-operator", "dashboards", "agentlens-operator.json");

    /// <summary>The panels' queries as Grafana sends them: its variables replaced the way it would for this Prometheus.</summary>
    private static IReadOnlyList<(string Panel, string Query)> Queries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Dashboard))!;
        return [.. dashboard["panels"]!.AsArray()
            .Where(p => (string?)p!["type"] != "row")
            .SelectMany(p => p!["targets"]!.AsArray().Select(t => ((string)p["title"]!, (string)t!["expr"]!)))
            .Select(q => (q.Item1, q.Item2.Replace("$job", "agentlens", StringComparison.Ordinal).Replace("$__rate_interval", "15s", StringComparison.Ordinal)))];
    }

    [Test]
    public void The_dashboard_covers_what_the_platform_team_watches()
    {
        var queries = string.Join("\n", Queries().Select(q => q.Query));

        foreach (var metric in new[]
        {
            "agentlens_discovery_cycles_total", "agentlens_discovery_cycle_duration_seconds_bucket", "agentlens_crawl_requests_total",
            "agentlens_catalog_entries", "agentlens_discovery_last_success_timestamp_seconds", "agentlens_apiserver_requests_total",
            "agentlens_api_watchers", "agentlens_event_to_write_duration_seconds_bucket", "agentlens_push_entries", "agentlens_leader",
        })
        {
            Assert.That(queries, Does.Contain(metric + "{"), metric);
        }
    }

    [Test]
    public void The_copy_in_config_is_the_charts_dashboard()
    {
        Assert.That(File.ReadAllText(Repo.Path("config", "prometheus", "grafana-dashboard.json")), Is.EqualTo(File.ReadAllText(Dashboard)));
    }

    [Test]
    public async Task Helm_renders_the_dashboard_ConfigMap_only_when_enabled()
    {
        var off = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system");
        var on = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system", "--set", "grafanaDashboard.enabled=true",
            "--set", "grafanaDashboard.namespace=monitoring");

        Assert.That(off.ExitCode, Is.Zero, off.StandardError);
        Assert.That(on.ExitCode, Is.Zero, on.StandardError);
        Assert.That(off.StandardOutput, Does.Not.Contain("grafana_dashboard"));
        var configMap = on.StandardOutput.Split("\n---").Single(d => d.Contains("grafana_dashboard: \"1\"", StringComparison.Ordinal));
        Assert.That(configMap, Does.Contain("kind: ConfigMap").And.Contain("namespace: monitoring"));
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(configMap);
        var json = ((Dictionary<object, object>)yaml["data"])["agentlens-operator.json"].ToString()!;
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(File.ReadAllText(Dashboard))), Is.True, "the ConfigMap holds the dashboard as it is");
    }

    [Test]
    public async Task Every_panel_query_returns_a_series_from_a_real_Prometheus_scraping_the_operator()
    {
        Assume.That(File.Exists("/usr/bin/prometheus"), "Debian's prometheus is installed by `make test` (make tools)");
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "grafana");
        await using var agent = new SwitchableAgent("Charted", "chart");
        var work = Directory.CreateTempSubdirectory("agentlens-grafana-");
        var metricsPort = Tools.FreePort();
        var apiPort = Tools.FreePort();
        using var op = ProcessRunner.Start("dotnet", OperatorProcess.Dll, "--kubeconfig", cp.KubeconfigPath, "--store-namespace", store, "--namespaces", store,
            "--static-sources", "/nonexistent", "--leader-elect=false", "--poll-interval", "30s", "--events", "--crawl-allow-cidrs", "127.0.0.1/32",
            "--api-bind-address", $"127.0.0.1:{apiPort}", "--api-auth", "none", "--apiserver-bind-address", "0",
            "--metrics-bind-address", $"127.0.0.1:{metricsPort}", "--health-probe-bind-address", "127.0.0.1:0");
        using var prom = await ScrapingPrometheus.StartAsync(work, metricsPort);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            // A Service announced while the operator runs: its event-trigger latency is recorded, its crawl counted.
            // The timer is slow (30 s) so the trigger writes it: a timer cycle that got there first would leave the
            // trigger nothing to write, and no latency (a race a loaded machine lost with a 2 s timer).
            await Poll.UntilAsync(() => Answer(http, $"http://127.0.0.1:{apiPort}/api/v1/agents"), s => s.Contains("\"items\"", StringComparison.Ordinal));
            await Tenant.AnnounceAsync(cp.Client, store, "charted", "127.0.0.1", new Uri(agent.BaseUrl).Port);
            // A watcher, so the watchers panel has something to show besides zero.
            using var watcher = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var watch = await watcher.GetAsync($"http://127.0.0.1:{apiPort}/api/v1/agents/watch", HttpCompletionOption.ResponseHeadersRead);

            var empty = Queries().ToList();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (empty.Count > 0 && !deadline.IsCancellationRequested)
            {
                await Task.Delay(1000, CancellationToken.None);
                var still = new List<(string, string)>();
                foreach (var (panel, query) in empty)
                {
                    if ((await prom.QueryAsync(http, query)).Length == 0)
                    {
                        still.Add((panel, query));
                    }
                }

                empty = still;
            }

            Assert.That(empty.Select(q => $"{q.Item1}: {q.Item2}"), Is.Empty, "panels whose query Prometheus answers with no series");
        }
        finally
        {
            ProcessRunner.Stop(op);
            prom.Dispose();
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> Answer(HttpClient http, string url)
    {
        try
        {
            return await http.GetStringAsync(url);
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}
