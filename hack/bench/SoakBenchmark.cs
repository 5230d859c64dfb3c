using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentLens.Bench;

/// <summary>
/// `make bench-soak`: the operator as its own process, cycling every second for N cycles against 20
/// well-behaved agents and hostile ones in the mix — an oversize card (19,024 skills), a body that trickles
/// past every timeout, an MCP server whose pages never end, and a dead agent. Prints whether every cycle
/// succeeded, what became of each agent, and the operator's RSS at cycle 10 and at the last cycle (the
/// baseline is cycle 10, after start-up and the first writes; flat memory is a ratio near 1).
/// </summary>
internal static class SoakBenchmark
{
    private const int WellBehaved = 20;

    public static async Task RunAsync(int cycles)
    {
        var root = CatalogBenchmark.FindRoot();
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-soak-{Environment.ProcessId}");
        var kubeconfig = (await CatalogBenchmark.Run(Path.Combine(root, "hack", "controlplane.sh"), "start", dir)).Trim().Split('\n')[^1];
        await using var good = await LoopbackAgents.StartAsync(WellBehaved, _ => TimeSpan.FromMilliseconds(10));
        await using var hostile = await HostileAgents.StartAsync();
        Process? op = null;
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            foreach (var ns in new[] { "soak-agents", "soak-store" })
            {
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            }

            for (var i = 0; i < WellBehaved; i++)
            {
                await AnnounceAsync(client, $"good-{i:D2}", "a2a", good.Ports[i]);
            }

            foreach (var (name, type, port) in hostile.Agents)
            {
                await AnnounceAsync(client, name, type, port);
            }

            var dll = Path.Combine(root, "Operator", "bin", "Release", "net10.0", "AgentLens.Operator.dll");
            op = Process.Start(new ProcessStartInfo("dotnet", [dll, "--kubeconfig", kubeconfig, "--store-namespace", "soak-store", "--namespaces", "soak-agents",
                "--static-sources", "/nonexistent", "--leader-elect=false", "--poll-interval", "1s", "--store-raw-card",
                "--crawl-timeout", "1s", "--crawl-max-timeout", "1s", "--crawl-agent-budget", "2s", "--crawl-cycle-budget", "5s", "--crawl-allow-cidrs", "127.0.0.1/32",
                "--api-bind-address", "0", "--apiserver-bind-address", "0", "--metrics-bind-address", "0", "--health-probe-bind-address", "127.0.0.1:0", "--log-format", "json"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var results = new List<string>();
            var rss = new Dictionary<int, long>();
            var done = new TaskCompletionSource();
            var pid = op.Id;
            op.OutputDataReceived += (_, e) =>
            {
                // The cycle summary is Log.CycleSummary, event id 24.
                if (e.Data is not { } line || !line.Contains("\"EventId\":24,", StringComparison.Ordinal))
                {
                    return;
                }

                var message = JsonDocument.Parse(line).RootElement.GetProperty("Message").GetString() ?? string.Empty;

                lock (results)
                {
                    results.Add(message.Split(' ')[1]);
                    if (results.Count is 1 or 5 or 10 or 20 or 50 || results.Count == cycles)
                    {
                        rss[results.Count] = Rss(pid);
                    }

                    if (results.Count == cycles)
                    {
                        done.TrySetResult();
                    }
                }
            };
            op.BeginOutputReadLine();
            op.BeginErrorReadLine();
            Console.WriteLine($"soak benchmark: {cycles} cycles at a 1s interval; {WellBehaved} well-behaved agents + {string.Join(", ", hostile.Agents.Select(a => a.Name))}");
            var clock = Stopwatch.StartNew();
            await done.Task.WaitAsync(TimeSpan.FromSeconds(cycles * 10));
            clock.Stop();

            var entries = (await client.CoreV1.ListNamespacedConfigMapAsync("soak-store", labelSelector: "agentlens.io/catalog=entry")).Items;
            string Describe(string service)
            {
                var entry = entries.FirstOrDefault(c => c.Metadata.Name.Contains($"-soak-agents-{service}-", StringComparison.Ordinal));
                if (entry is null)
                {
                    return "no entry";
                }

                using var json = JsonDocument.Parse(entry.Data["agenttype.json"]);
                var status = json.RootElement.GetProperty("status");
                var lifecycle = status.GetProperty("lifecycle").GetString();
                var truncated = status.TryGetProperty("conditions", out var conditions) && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Truncated")
                    ? ", Truncated" : string.Empty;
                var error = status.TryGetProperty("lastError", out var e) ? $", {e.GetString()?.Split(':')[0]}" : string.Empty;
                return $"{lifecycle}{truncated}{error}, {Encoding.UTF8.GetByteCount(entry.Data["agenttype.json"]) / 1024} KiB";
            }

            var active = Enumerable.Range(0, WellBehaved).Count(i => Describe($"good-{i:D2}").StartsWith("Active", StringComparison.Ordinal));
            Console.WriteLine($"cycles: {results.Count} in {clock.Elapsed.TotalSeconds:F0} s; success {results.Count(r => r == "success")}/{results.Count}; well-behaved agents Active {active}/{WellBehaved}");
            foreach (var (name, _, _) in hostile.Agents)
            {
                Console.WriteLine($"  {name}: {Describe(name)}");
            }

            Console.WriteLine($"operator RSS (MiB) after cycle: {string.Join(", ", rss.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value / 1024}"))}");
            Console.WriteLine($"operator RSS at cycle {cycles} vs cycle 10 (baseline): {rss[cycles] / 1024} MiB vs {rss[10] / 1024} MiB, ratio {rss[cycles] / (double)rss[10]:F2} (flat: within 1.10)");
            Console.WriteLine($"operator peak RSS (VmHWM): {Hwm(pid) / 1024} MiB");
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

    private static Task<V1Service> AnnounceAsync(Kubernetes client, string name, string type, int port) =>
        client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = new Dictionary<string, string>
                {
                    ["agentlens.io/type"] = type,
                    ["agentlens.io/port"] = port.ToString(CultureInfo.InvariantCulture),
                    ["agentlens.io/timeout"] = "80s",
                },
            },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
        }, "soak-agents");

    private static long Rss(int pid) => Status(pid, "VmRSS:");

    private static long Hwm(int pid) => Status(pid, "VmHWM:");

    /// <summary>A /proc/PID/status figure, in KiB.</summary>
    private static long Status(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>The hostile agents, one Kestrel, one port each.</summary>
    private sealed class HostileAgents : IAsyncDisposable
    {
        private readonly WebApplication app;

        private HostileAgents(WebApplication app, List<(string, string, int)> agents)
        {
            this.app = app;
            Agents = agents;
        }

        public List<(string Name, string Type, int Port)> Agents { get; }

        public static async Task<HostileAgents> StartAsync()
        {
            string[] names = ["oversize", "trickle", "endless-pages", "dead"];
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                foreach (var _ in names)
                {
                    kestrel.Listen(IPAddress.Loopback, 0);
                }
            });
            var app = builder.Build();
            var nameOfPort = new Dictionary<int, string>();
            var oversize = new StringBuilder("""{"name":"oversize","skills":[""");
            for (var i = 0; i < 19_024; i++)
            {
                oversize.Append(i == 0 ? string.Empty : ",").Append("{\"id\":\"").Append(i.ToString("x", CultureInfo.InvariantCulture)).Append("\"}");
            }

            var oversizeCard = oversize.Append("]}").ToString();
            app.Run(async context =>
            {
                var name = nameOfPort[context.Connection.LocalPort];
                switch (name)
                {
                    case "oversize":
                        context.Response.ContentType = "application/json";
                        await context.Response.WriteAsync(oversizeCard);
                        break;
                    case "trickle":
                        context.Response.ContentType = "application/json";
                        context.Response.ContentLength = 1000;
                        while (!context.RequestAborted.IsCancellationRequested)
                        {
                            await context.Response.Body.WriteAsync(" "u8.ToArray(), context.RequestAborted);
                            await context.Response.Body.FlushAsync(context.RequestAborted);
                            await Task.Delay(200, context.RequestAborted);
                        }

                        break;
                    case "endless-pages":
                        await EndlessPagesAsync(context);
                        break;
                    default:
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                        break;
                }
            });
            await app.StartAsync();
            var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port).ToList();
            var agents = new List<(string, string, int)>();
            for (var i = 0; i < names.Length; i++)
            {
                nameOfPort[ports[i]] = names[i];
                agents.Add((names[i], names[i] == "endless-pages" ? "mcp" : "a2a", ports[i]));
            }

            return new HostileAgents(app, agents);
        }

        private static async Task EndlessPagesAsync(HttpContext context)
        {
            if (context.Request.Path != "/mcp" || context.Request.Method != "POST")
            {
                context.Response.StatusCode = context.Request.Method == "DELETE" ? 200 : 404;
                return;
            }

            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var root = request.RootElement;
            if (!root.TryGetProperty("id", out var idElement))
            {
                context.Response.StatusCode = 202;
                return;
            }

            var id = idElement.GetInt32();
            context.Response.ContentType = "application/json";
            if (root.GetProperty("method").GetString() == "server/discover")
            {
                await context.Response.WriteAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"Method not found"}""" + "}");
                return;
            }

            if (root.GetProperty("method").GetString() == "initialize")
            {
                await context.Response.WriteAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"endless","version":"1"}""" + "}}");
                return;
            }

            await Task.Delay(150, context.RequestAborted);
            await context.Response.WriteAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":[{"name":"t{{{id}}}","inputSchema":{"type":"object"}}],"nextCursor":"c{{{id}}}"}}""");
        }

        public async ValueTask DisposeAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(cts.Token);
            await app.DisposeAsync();
        }
    }
}
