using System.Diagnostics;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>
/// --mcp-subscribe: a server that announces list_changed is listened to; its notification brings the new tool
/// into the entry within seconds, one introspection however many notifications, and a stream that never ends
/// is cut at its byte budget and opened again after a backoff.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class McpSubscriptionTests
{
    private const string Echo = """{"name":"echo","inputSchema":{"type":"object"}}""";
    private const string Reverse = """{"name":"reverse","inputSchema":{"type":"object"}}""";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static McpSubscriptions Subscriptions(int maxBytes = 256 * 1024)
    {
        var options = new OperatorOptions();
        options.Crawl.AllowCidrs = ["127.0.0.1/32"];
        options.Mcp.Subscribe = true;
        options.Mcp.SubscriptionMaxBytes = maxBytes;
        return new McpSubscriptions(HttpFetcher.CreateHandler(options.Crawl), options.Crawl, options.Mcp, TimeProvider.System, TestMeterFactory.NewMetrics(), new CapturedLogs().For<McpSubscriptions>());
    }

    [Test]
    public async Task ANotification_BringsTheNewToolWithinTwoSeconds_InOneIntrospection()
    {
        await using var mcp = new ListingMcp("""{"tools":{"listChanged":true}}""");
        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}}]}""");
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();
        using var subscriptions = Subscriptions();
        using var stop = new CancellationTokenSource(Bound);
        subscriptions.Sync(h.Freshness.Announcing(), stop.Token);
        await Poll.UntilAsync(() => Task.FromResult($"streams={mcp.Streams}"), s => s == "streams=1", 20);

        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}},{{Reverse}}]}""");
        var clock = Stopwatch.StartNew();
        await mcp.NotifyAsync(times: 50);
        var endpoint = await subscriptions.Changed.ReadAsync(stop.Token);
        h.Freshness.Notified(endpoint);
        while (subscriptions.Changed.TryRead(out var more))
        {
            h.Freshness.Notified(more);
        }

        h.Clock.Advance(FreshnessSchedule.NotificationSpacing);
        var refresh = await h.RefreshDueAsync();
        clock.Stop();

        Assert.That(endpoint, Is.EqualTo((await h.SingleAsync()).Entry!.Spec.Endpoint));
        Assert.That(refresh!.Counts.Writes, Is.EqualTo(1));
        Assert.That((await h.SingleAsync()).Entry!.Status.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "echo", "reverse" }));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "from the notification to the written entry");
        Assert.That(mcp.Calls("tools/list"), Is.EqualTo(2), "one introspection for fifty notifications");
        Assert.That(await h.RefreshDueAsync(), Is.Null);
    }

    [Test]
    public async Task ANeverEndingStream_IsCutAtItsByteBudget_AndOpenedAgainAfterABackoff()
    {
        await using var mcp = new ListingMcp("""{"tools":{"listChanged":true}}""");
        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}}]}""");
        using var subscriptions = Subscriptions(maxBytes: 4096);
        using var stop = new CancellationTokenSource(Bound);
        var agent = CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl);
        subscriptions.Sync([(agent, new McpListHints(agent.McpUrl!, null, true, false))], stop.Token);
        await Poll.UntilAsync(() => Task.FromResult($"streams={mcp.Streams}"), s => s == "streams=1", 20);

        await mcp.NotifyAsync(times: 1000);
        // Cut at 4 KiB, it is opened again after the first backoff.
        await Poll.UntilAsync(() => Task.FromResult($"streams={mcp.Streams}"), s => s == "streams=2", 20);
        var held = subscriptions.Count;
        var read = 0;
        while (subscriptions.Changed.TryRead(out _))
        {
            read++;
        }

        Assert.That(held, Is.EqualTo(1));
        Assert.That(read, Is.LessThan(1000), "no more than the byte budget was read");
        subscriptions.Sync([], stop.Token);
        Assert.That(subscriptions.Count, Is.Zero);
    }

    [TestCase("csharp", true, TestName = "AStreamTheServerEnds_IsOpenedAgain_AndStillDelivers_CSharpSdkSubscriptionsListen")]
    [TestCase("typescript", false, TestName = "AStreamTheServerEnds_IsOpenedAgain_AndStillDelivers_TypeScriptSdkGetStream")]
    public async Task AStreamTheServerEnds_IsOpenedAgain_AndStillDelivers(string sdk, bool listen)
    {
        // The SDK client ends a GET stream quietly (MaxReconnectionAttempts 0, no event ids): unwatched, the
        // subscription would stay open and deaf.
        await using var mcp = sdk == "csharp" ? await NodeAgent.StartDotnetMcpAsync(listChanged: true) : await NodeAgent.StartMcpAsync(sessions: true);
        using var subscriptions = Subscriptions();
        using var stop = new CancellationTokenSource(Bound);
        var agent = CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl);
        subscriptions.Sync([(agent, new McpListHints(agent.McpUrl!, null, true, listen))], stop.Token);
        async Task<string> StreamsAsync() => $"{await mcp.McpStatsAsync() with { ToolsList = 0 }}";
        await Poll.UntilAsync(StreamsAsync, s => s.Contains("Streams = 1, Opened = 1", StringComparison.Ordinal), 20);

        await mcp.EndStreamsAsync();
        // Opened again after the first backoff (1s).
        await Poll.UntilAsync(StreamsAsync, s => s.Contains("Streams = 1, Opened = 2", StringComparison.Ordinal), 20);
        await mcp.AddToolAsync("reopen_ticket");
        var endpoint = await subscriptions.Changed.ReadAsync(stop.Token);

        Assert.That(endpoint, Is.EqualTo(agent.Endpoint));
        Assert.That(subscriptions.Count, Is.EqualTo(1));
    }

    [Test]
    public void SubscriptionsAreCappedInNumber()
    {
        using var subscriptions = Subscriptions();
        using var stop = new CancellationTokenSource(Bound);
        var many = Enumerable.Range(0, 150).Select(i => CrawlerHarness.Agent(Protocol.Mcp, $"http://127.0.0.1:9/{i}"))
            .Select(a => (a, new McpListHints(a.Endpoint, null, true, false))).ToList();

        subscriptions.Sync(many, stop.Token);

        Assert.That(subscriptions.Count, Is.EqualTo(100), "--mcp-max-subscriptions defaults to 100");
        subscriptions.Dispose();
    }
}
