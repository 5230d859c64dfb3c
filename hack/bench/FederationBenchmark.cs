using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using AgentLens.Operator;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Catalog.Federation;
using AgentLens.Operator.Domain;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentLens.Bench;

/// <summary>
/// `make bench-federation`: a hub over M members of N entries each (3 × 2,000), in this process, each member a
/// loopback server answering the list and watch of agenttypes.agentlens.io as a member's kube-apiserver does
/// (the member side itself — the aggregator and the AgentType API — is what `make bench-watch` measures).
/// Prints: the floor (one list of every member, read and parsed, at once), the hub's first full sync and the
/// ratio; the time from a member's entry change to a hub watcher's event, p50/p99 (goal p99 ≤ 2 s); the hub's
/// managed heap per 1,000 federated entries.
/// </summary>
internal static class FederationBenchmark
{
    public static async Task RunAsync(int members, int entries, int changes = 200)
    {
        var servers = new List<FakeMember>();
        for (var m = 0; m < members; m++)
        {
            servers.Add(await FakeMember.StartAsync($"member-{m}", entries));
        }

        try
        {
            var floor = await FloorAsync(servers);
            Console.WriteLine(FormattableString.Invariant($"floor: one list of each of {members} members ({entries} entries each), at once: {floor.TotalMilliseconds:F0} ms"));

            var before = Heap();
            var feed = new CatalogFeed(new CacheOptions(), TimeProvider.System);
            using var meters = new BenchMeterFactory();
            var inventory = new StaticInventory(servers);
            using var hubClient = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
            var hub = new FederationHub(hubClient, new StoreNamespace("bench"), new FederationOptions { Enabled = true }, new ClusterIdentity("hub", "bench"),
                feed, TimeProvider.System, new Metrics(meters), TimeSpan.FromHours(1), NullLoggerFactory.Instance, [inventory]);
            using var stop = new CancellationTokenSource();
            var started = Stopwatch.StartNew();
            await hub.StartAsync(stop.Token);
            while (feed.Snapshot().Items.Count < members * entries)
            {
                if (started.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException($"the hub holds {feed.Snapshot().Items.Count} of {members * entries} entries after 5 minutes");
                }

                await Task.Delay(5);
            }

            var sync = started.Elapsed;
            Console.WriteLine(FormattableString.Invariant($"first full sync: {sync.TotalMilliseconds:F0} ms = {sync / floor:F1} x floor"));
            var after = Heap();
            Console.WriteLine(FormattableString.Invariant($"hub heap: {(after - before) / 1024.0 / 1024:F1} MiB for {members * entries} entries = {(after - before) / (members * entries / 1000.0) / 1024:F0} KiB per 1,000 federated entries"));

            var latencies = await ChangeLatenciesAsync(feed, servers, changes);
            Console.WriteLine(FormattableString.Invariant(
                $"member change -> hub watcher: {changes} changes, p50 {Percentile(latencies, 0.5):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies.Max():F1} ms (goal p99 <= 2000 ms)"));
            await stop.CancelAsync();
            await hub.StopAsync(CancellationToken.None);
            GC.KeepAlive(feed);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>What no hub can beat: every member's list fetched and parsed once, all at once.</summary>
    private static async Task<TimeSpan> FloorAsync(List<FakeMember> servers)
    {
        using var http = new HttpClient();
        var best = TimeSpan.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(servers.Select(async s =>
            {
                await using var body = await http.GetStreamAsync(new Uri($"{s.Url}/apis/agentlens.io/v1alpha1/agenttypes"));
                using var doc = await System.Text.Json.JsonDocument.ParseAsync(body);
            }));
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }

        return best;
    }

    private static async Task<List<double>> ChangeLatenciesAsync(CatalogFeed feed, List<FakeMember> servers, int changes)
    {
        var subscription = feed.Subscribe(null);
        using var subscriber = subscription.Subscriber;
        var latencies = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var server = servers[i % servers.Count];
            var index = i * 7 % server.Count;
            var clock = Stopwatch.StartNew();
            server.Change(index);
            var name = $"{server.Cluster}.{FakeMember.EntryName(index)}";
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var e = await subscriber.Events.ReadAsync(deadline.Token);
                if (e.Entry.Name == name)
                {
                    break;
                }
            }

            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        return latencies;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>The members as the bench's inventory names them: plain-HTTP loopback servers.</summary>
    private sealed class StaticInventory(List<FakeMember> servers) : IMemberInventory
    {
        public async Task RunAsync(IKubernetes client, string @namespace, Action<string, MemberSpec?> changed, CancellationToken cancellationToken)
        {
            foreach (var s in servers)
            {
                changed($"bench {s.Cluster}", new MemberSpec(s.Cluster, s.Cluster, "1", () => new KubernetesClientConfiguration { Host = s.Url }));
            }

            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One member's kube-apiserver as the hub sees it: a list of agenttypes, a watch of their changes, and /version.</summary>
    private sealed class FakeMember : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly string[] items;
        private readonly List<Channel<string>> watchers = [];
        private long version = 1;

        private FakeMember(WebApplication app, string cluster, int count)
        {
            (this.app, Cluster) = (app, cluster);
            items = [.. Enumerable.Range(0, count).Select(i => Item(i, 1))];
        }

        public string Cluster { get; }

        public string Url => app.Urls.First();

        public int Count => items.Length;

        public static string EntryName(int i) => $"agt-a2a-team-{i % 50}-agent-{i}-{i:x8}";

        public static async Task<FakeMember> StartAsync(string cluster, int count)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var member = new FakeMember(app, cluster, count);
            app.MapGet("/version", () => Results.Text("{\"major\":\"1\",\"minor\":\"20\",\"gitVersion\":\"v1.20.2\"}", "application/json"));
            app.MapGet("/apis/agentlens.io/v1alpha1/agenttypes", member.ServeAsync);
            await app.StartAsync();
            return member;
        }

        public void Change(int index)
        {
            string line;
            lock (items)
            {
                var rv = ++version;
                items[index] = Item(index, rv);
                line = $"{{\"type\":\"MODIFIED\",\"object\":{items[index]}}}\n";
                foreach (var w in watchers)
                {
                    w.Writer.TryWrite(line);
                }
            }
        }

        private async Task ServeAsync(HttpContext http)
        {
            if (http.Request.Query["watch"] == "true")
            {
                var channel = Channel.CreateUnbounded<string>();
                lock (items)
                {
                    watchers.Add(channel);
                }

                http.Response.ContentType = "application/json";
                await http.Response.Body.FlushAsync(http.RequestAborted);
                try
                {
                    await foreach (var line in channel.Reader.ReadAllAsync(http.RequestAborted))
                    {
                        await http.Response.WriteAsync(line, http.RequestAborted);
                        await http.Response.Body.FlushAsync(http.RequestAborted);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The hub closed the watch.
                }
                finally
                {
                    lock (items)
                    {
                        watchers.Remove(channel);
                    }
                }

                return;
            }

            string body;
            lock (items)
            {
                body = $"{{\"apiVersion\":\"agentlens.io/v1alpha1\",\"kind\":\"AgentTypeList\",\"metadata\":{{\"resourceVersion\":\"{version}\"}},\"items\":[{string.Join(',', items)}]}}";
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(body, Encoding.UTF8);
        }

        /// <summary>An AgentType as a member serves it: a discovered A2A agent with three skills.</summary>
        private static string Item(int i, long rv)
        {
            var entry = new AgentType
            {
                Metadata = new AgentMetadata { Name = EntryName(i), Namespace = $"team-{i % 50}" },
                Spec = new AgentSpec
                {
                    Protocol = Protocol.A2a,
                    Endpoint = $"http://agent-{i}.team-{i % 50}.svc.cluster.local:8080",
                    Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = $"team-{i % 50}", Name = $"agent-{i}" },
                    Team = "bench",
                },
                Status = new AgentStatus
                {
                    Lifecycle = Lifecycle.Active,
                    DisplayName = $"Agent {i}",
                    Description = $"Benchmark agent {i}, revision {rv}.",
                    Version = "1.0.0",
                    Capabilities = [.. Enumerable.Range(0, 3).Select(k => new Capability { Kind = CapabilityKinds.A2aSkill, Name = $"skill-{k}", Description = "Does a thing well." })],
                },
            };
            var json = CatalogJson.SerializeToString(entry);
            var spec = json[(json.IndexOf("\"spec\":", StringComparison.Ordinal) + 7)..json.IndexOf(",\"status\":", StringComparison.Ordinal)];
            var status = json[(json.IndexOf("\"status\":", StringComparison.Ordinal) + 9)..^1];
            return $"{{\"apiVersion\":\"agentlens.io/v1alpha1\",\"kind\":\"AgentType\",\"metadata\":{{\"name\":\"{EntryName(i)}\",\"namespace\":\"team-{i % 50}\",\"resourceVersion\":\"{rv}\","
                + $"\"labels\":{{\"agentlens.io/protocol\":\"a2a\",\"agentlens.io/lifecycle\":\"Active\",\"agentlens.io/source\":\"kubernetes\"}}}},\"spec\":{spec},\"status\":{status}}}";
        }

        public async ValueTask DisposeAsync()
        {
            lock (items)
            {
                foreach (var w in watchers)
                {
                    w.Writer.TryComplete();
                }
            }

            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
