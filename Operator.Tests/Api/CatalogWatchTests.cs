using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api;

/// <summary>The catalog API of a running operator, against the real API server, with real HTTP clients.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class CatalogWatchTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static JsonElement Data(SseEvent e) => JsonDocument.Parse(e.Data!).RootElement;

    private static string Name(SseEvent e) => Data(e).GetProperty("name").GetString()!;

    private static long Version(SseEvent e) => Data(e).GetProperty("version").GetInt64();

    [Test]
    public async Task Watch_SnapshotThenDeltas_InOrder()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "watch");
        await PushEntries.CreateAsync(cp.Client, ns, "a");
        await PushEntries.CreateAsync(cp.Client, ns, "b");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");

        var snapshot = new[] { await watch.NextEventAsync(), await watch.NextEventAsync(), await watch.NextEventAsync() };
        Assert.That(snapshot.Select(e => e.Type), Is.EqualTo(new[] { "ADDED", "ADDED", "SYNCED" }));
        Assert.That(snapshot.Take(2).Select(Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(snapshot[2].Id, Is.Not.Null);

        await PushEntries.CreateAsync(cp.Client, ns, "c");
        await PushEntries.UpdateAsync(cp.Client, ns, "a", skill: "radar");
        await PushEntries.UpdateAsync(cp.Client, ns, "b", lifecycle: "Offline");
        await cp.Client.CoreV1.DeleteNamespacedConfigMapAsync("c", ns);
        var deltas = new List<SseEvent>();
        for (var i = 0; i < 4; i++)
        {
            deltas.Add(await watch.NextEventAsync());
        }

        Assert.That(deltas.Select(e => $"{e.Type} {Name(e)}"), Is.EqualTo(new[] { "ADDED c", "MODIFIED a", "MODIFIED b", "DELETED c" }));
        Assert.That(deltas.Select(Version), Is.Ordered.Ascending.And.Unique);
        Assert.That(deltas.All(e => e.Id is not null), Is.True);
        var offline = Data(deltas[2]).GetProperty("object").GetProperty("agentType").GetProperty("status").GetProperty("lifecycle").GetString();
        Assert.That(offline, Is.EqualTo("Offline"));
        Assert.That(Data(deltas[1]).GetProperty("resourceVersion").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task Reconnect_WithLastEventId_ReplaysExactlyTheMissedEvents()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "resume");
        await PushEntries.CreateAsync(cp.Client, ns, "a");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");
        string lastId;
        await using (var first = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch"))
        {
            Assert.That((await first.NextEventAsync()).Type, Is.EqualTo("ADDED"));
            lastId = (await first.NextEventAsync()).Id!;
        }

        await PushEntries.CreateAsync(cp.Client, ns, "b");
        await PushEntries.UpdateAsync(cp.Client, ns, "a", skill: "radar");
        await cp.Client.CoreV1.DeleteNamespacedConfigMapAsync("b", ns);
        await WaitForVersionAsync(op, ns, expectedItems: 1, changedName: "a", skill: "radar");

        await using var second = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch", lastEventId: lastId);
        var replay = new[] { await second.NextEventAsync(), await second.NextEventAsync(), await second.NextEventAsync() };

        Assert.That(replay.Select(e => $"{e.Type} {Name(e)}"), Is.EqualTo(new[] { "ADDED b", "MODIFIED a", "DELETED b" }));
        var next = await second.NextAsync(TimeSpan.FromMilliseconds(500)).ContinueWith(t => t.IsFaulted || t.IsCanceled ? null : t.Result, TaskScheduler.Default);
        Assert.That(next?.Type, Is.Null, "nothing more: no snapshot after a replay");
    }

    private static async Task WaitForVersionAsync(OperatorServer op, string ns, int expectedItems, string changedName, string skill)
    {
        _ = ns;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!deadline.IsCancellationRequested)
        {
            using var doc = JsonDocument.Parse(await op.Http.GetStringAsync(op.BaseUrl));
            var items = doc.RootElement.GetProperty("items");
            if (items.GetArrayLength() == expectedItems && items.EnumerateArray().Any(i => i.GetProperty("name").GetString() == changedName
                && i.GetProperty("agentType").GetProperty("status").GetProperty("capabilities")[0].GetProperty("name").GetString() == skill))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the cache never caught up");
    }

    [Test]
    public async Task Reconnect_AfterTheHistoryRolledOver_GetsResyncAndASnapshot()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "rollover");
        await PushEntries.CreateAsync(cp.Client, ns, "a");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--api-history-size", "2");
        string lastId;
        await using (var first = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch"))
        {
            await first.NextEventAsync();
            lastId = (await first.NextEventAsync()).Id!;
        }

        for (var i = 0; i < 5; i++)
        {
            await PushEntries.UpdateAsync(cp.Client, ns, "a", skill: $"s{i}");
        }

        await WaitForVersionAsync(op, ns, 1, "a", "s4");
        await using var second = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch", lastEventId: lastId);

        var events = new[] { await second.NextEventAsync(), await second.NextEventAsync(), await second.NextEventAsync() };
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { "RESYNC", "ADDED", "SYNCED" }));
        Assert.That(Data(events[1]).GetProperty("object").GetProperty("agentType").GetProperty("status").GetProperty("capabilities")[0].GetProperty("name").GetString(), Is.EqualTo("s4"));
    }

    [Test]
    public async Task Filters_OnListAndWatch()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "filters");
        await PushEntries.CreateAsync(cp.Client, ns, "wx-a2a", team: "wx", protocol: "a2a", skill: "forecast");
        await PushEntries.CreateAsync(cp.Client, ns, "wx-mcp", team: "wx", protocol: "mcp", skill: "search_docs");
        await PushEntries.CreateAsync(cp.Client, ns, "ops-mcp", team: "ops", protocol: "mcp", lifecycle: "Offline", skill: "page");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");

        async Task<string[]> ListAsync(string query)
        {
            using var doc = JsonDocument.Parse(await op.Http.GetStringAsync($"{op.BaseUrl}?{query}"));
            return [.. doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
        }

        Assert.That(await ListAsync("team=wx"), Is.EqualTo(new[] { "wx-a2a", "wx-mcp" }));
        Assert.That(await ListAsync("protocol=mcp"), Is.EqualTo(new[] { "ops-mcp", "wx-mcp" }));
        Assert.That(await ListAsync("lifecycle=Offline"), Is.EqualTo(new[] { "ops-mcp" }));
        Assert.That(await ListAsync("capability=search_docs"), Is.EqualTo(new[] { "wx-mcp" }));
        Assert.That(await ListAsync("tag=t1&protocol=a2a"), Is.EqualTo(new[] { "wx-a2a" }));
        Assert.That(await ListAsync("labelSelector=agentlens.io/team%20in%20(ops),agentlens.io/protocol!=a2a"), Is.EqualTo(new[] { "ops-mcp" }));
        Assert.That(await ListAsync("namespace=elsewhere"), Is.Empty);
        using (var bad = await op.Http.GetAsync($"{op.BaseUrl}?labelSelector=a%20in%20b"))
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch?protocol=mcp&team=wx");
        Assert.That(Name(await watch.NextEventAsync()), Is.EqualTo("wx-mcp"));
        Assert.That((await watch.NextEventAsync()).Type, Is.EqualTo("SYNCED"));

        await PushEntries.UpdateAsync(cp.Client, ns, "wx-a2a", team: "wx", protocol: "a2a", skill: "radar");
        await PushEntries.UpdateAsync(cp.Client, ns, "ops-mcp", team: "wx", protocol: "mcp");
        await PushEntries.UpdateAsync(cp.Client, ns, "wx-mcp", team: "ops", protocol: "mcp");
        var first = await watch.NextEventAsync();
        var second = await watch.NextEventAsync();

        Assert.That($"{first.Type} {Name(first)}", Is.EqualTo("ADDED ops-mcp"), "an entry entering the filter is ADDED; one outside it is not sent");
        Assert.That($"{second.Type} {Name(second)}", Is.EqualTo("DELETED wx-mcp"), "an entry leaving the filter is DELETED");
    }

    [Test]
    public async Task Get_OneEntry_Or404AsJson()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "get");
        await PushEntries.CreateAsync(cp.Client, ns, "a");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");

        using var found = JsonDocument.Parse(await op.Http.GetStringAsync($"{op.BaseUrl}/a"));
        using var missing = await op.Http.GetAsync($"{op.BaseUrl}/nope");

        Assert.That(found.RootElement.GetProperty("endpoint").GetString(), Is.EqualTo("https://a.example"));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(missing.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(await missing.Content.ReadAsStringAsync(), Does.Contain("\"error\""));
    }

    [Test]
    public async Task Heartbeat_Arrives()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "heartbeat");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--api-heartbeat", "200ms");
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        Assert.That((await watch.NextEventAsync()).Type, Is.EqualTo("SYNCED"));

        var next = await watch.NextAsync(TimeSpan.FromSeconds(10));

        Assert.That(next?.Comment, Does.StartWith("heartbeat"));
    }

    [Test]
    public async Task WatcherCap_AnswersTooManyRequestsWithRetryAfterWhenFull()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "cap");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--api-max-watchers", "2");
        await using var one = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        await using var two = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        await one.NextEventAsync();
        await two.NextEventAsync();

        using var third = await op.Http.GetAsync($"{op.BaseUrl}/watch", HttpCompletionOption.ResponseHeadersRead);

        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(third.Headers.RetryAfter, Is.Not.Null);
        Assert.That(await third.Content.ReadAsStringAsync(), Does.Contain("watcher limit"));
    }

    [Test]
    public async Task SlowClient_IsCutOff_WithoutDelayingAFastOne()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "slow");
        await PushEntries.CreateAsync(cp.Client, ns, "big");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--AgentLens:Api:WatcherBuffer=16");
        await using var fast = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        await fast.NextEventAsync();
        await fast.NextEventAsync();

        // A client that sends its request and then never reads, with a tiny receive window.
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(IPAddress.Loopback, op.Port);
        await slow.SendAsync(Encoding.ASCII.GetBytes($"GET /api/v1/agents/watch HTTP/1.1\r\nHost: 127.0.0.1:{op.Port}\r\nAccept: text/event-stream\r\n\r\n"));

        const int Changes = 60;
        var padding = new string('x', 100_000);
        var fastReader = Task.Run(async () =>
        {
            var types = new List<string?>();
            for (var i = 0; i < Changes; i++)
            {
                types.Add((await fast.NextEventAsync(TimeSpan.FromSeconds(30))).Type);
            }

            return types;
        });
        for (var i = 0; i < Changes; i++)
        {
            await PushEntries.UpdateAsync(cp.Client, ns, "big", skill: $"s{i}", description: padding);
        }

        Assert.That(await fastReader, Has.Count.EqualTo(Changes).And.All.EqualTo("MODIFIED"), "the fast client got every event");

        // The slow client's connection was closed by the server: draining it now reaches its end.
        var drained = 0L;
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            int read;
            while ((read = await slow.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                drained += read;
            }
        }
        catch (SocketException)
        {
            // A reset: cut off all the same.
        }

        Assert.That(deadline.IsCancellationRequested, Is.False, "the slow client was cut off (its stream ended)");
        Assert.That(drained, Is.LessThan(Changes * (long)padding.Length), "it did not get everything");
        // The operator logs before it closes the stream, but its console logger writes on a thread of its own.
        Assert.That(() => op.Output, Does.Contain("Watcher cut off").After(10_000, 100));
    }

    [Test]
    public async Task Cache_SurvivesAnApiServerRestart_WithNoLostOrDuplicatedState()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "restart");
        await PushEntries.CreateAsync(cp.Client, ns, "before");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        await watch.NextEventAsync();
        await watch.NextEventAsync();

        await cp.StopApiServerAsync();
        await cp.StartApiServerAsync();
        await PushEntries.CreateAsync(cp.Client, ns, "after");
        await PushEntries.UpdateAsync(cp.Client, ns, "before", skill: "changed");

        var events = new List<SseEvent> { await watch.NextEventAsync(TimeSpan.FromSeconds(30)), await watch.NextEventAsync(TimeSpan.FromSeconds(30)) };
        Assert.That(events.Select(e => $"{e.Type} {Name(e)}").Order(), Is.EqualTo(new[] { "ADDED after", "MODIFIED before" }));
        var extra = await watch.NextAsync(TimeSpan.FromSeconds(2)).ContinueWith(t => t.IsFaulted || t.IsCanceled ? null : t.Result, TaskScheduler.Default);
        Assert.That(extra?.Type, Is.Null, "no duplicate events after the re-list");

        using var doc = JsonDocument.Parse(await op.Http.GetStringAsync(op.BaseUrl));
        Assert.That(doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()), Is.EqualTo(new[] { "after", "before" }));
    }
}
