using System.Diagnostics;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>
/// Issue #22's freshness cases against real official-SDK MCP servers (hack/agents): the C# SDK one
/// (2026-07-28: <c>ttlMs</c> on its results, <c>list_changed</c> on <c>subscriptions/listen</c>) and the
/// TypeScript SDK one (2025-11-25: <c>list_changed</c> on a session's GET stream). Each server adds a tool
/// when told to and counts the <c>tools/list</c> requests it answered, so each case says how many
/// introspections the change cost. With <c>--mcp-subscribe</c> the real operator runs, on real time; the TTL
/// and cycle cases run the reconciler on the harness's fake clock.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class SdkFreshToolListTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static Task<NodeAgent> StartAsync(string sdk, bool notifying = false, int? ttlMs = null) => sdk switch
    {
        "csharp" => NodeAgent.StartDotnetMcpAsync(ttlMs: ttlMs, listChanged: notifying),
        _ => NodeAgent.StartMcpAsync(sessions: notifying),
    };

    private static string[] Tools(StoredEntry entry) =>
        [.. entry.Entry!.Status.Capabilities.Where(c => c.Kind == CapabilityKinds.McpTool).Select(c => c.Name).Order(StringComparer.Ordinal)];

    private static async Task<string[]> ToolsAsync(ReconcilerHarness h) => Tools(await h.SingleAsync());

    [TestCase("csharp", TestName = "Subscribed_CSharpSdk_SubscriptionsListen_TheNewToolIsThereWithinTwoSeconds_OneIntrospectionPerNotification")]
    [TestCase("typescript", TestName = "Subscribed_TypeScriptSdk_GetStream_TheNewToolIsThereWithinTwoSeconds_OneIntrospectionPerNotification")]
    public async Task Subscribed_TheNewToolIsThereWithinTwoSeconds(string sdk)
    {
        await using var mcp = await StartAsync(sdk, notifying: true);
        var ns = await TestNamespaces.CreateAsync(cp.Client, "fresh-sub");
        var sources = Path.Combine(Path.GetTempPath(), $"agentlens-static-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(sources, $"sources:\n  - {{name: tools, type: mcp, url: '{mcp.BaseUrl}'}}\n");
        try
        {
            // An hour between cycles: whatever comes sooner is the subscription's doing.
            await using var op = await OperatorServer.StartAsync(cp, ns, "--static-sources", sources, "--poll-interval", "1h", "--mcp-subscribe");
            var store = new ConfigMapCatalogStore(cp.Client, ns, false);
            async Task<string> StateAsync() => $"tools={string.Join(",", (await store.ListAsync(CancellationToken.None)).SelectMany(Tools))} streams={(await mcp.McpStatsAsync()).Streams}";
            await Within(op, () => Poll.UntilAsync(StateAsync, s => !s.StartsWith("tools= ", StringComparison.Ordinal) && s.EndsWith(" streams=1", StringComparison.Ordinal)));
            var listedBefore = (await mcp.McpStatsAsync()).ToolsList;
            var before = Tools((await store.ListAsync(CancellationToken.None)).Single());

            var clock = Stopwatch.StartNew();
            await mcp.AddToolAsync("reopen_ticket");
            string[] now;
            do
            {
                now = Tools((await store.ListAsync(CancellationToken.None)).Single());
            }
            while (!now.Contains("reopen_ticket") && clock.Elapsed < Bound && await Pause());

            var shown = clock.Elapsed;
            // Anything more the one notification would bring has had time to come.
            await Task.Delay(FreshnessSpacingAndAMargin);
            var listedAfterOne = (await mcp.McpStatsAsync()).ToolsList;

            // Two changes in quick succession: one introspection, or two when the second came during the first.
            await mcp.AddToolAsync("merge_ticket");
            await mcp.AddToolAsync("split_ticket");
            var two = await Within(op, () => Poll.UntilAsync(async () => string.Join(",", Tools((await store.ListAsync(CancellationToken.None)).Single())), s => s.Contains("merge_ticket", StringComparison.Ordinal) && s.Contains("split_ticket", StringComparison.Ordinal), 20));
            await Task.Delay(FreshnessSpacingAndAMargin);
            var (listedAfterTwo, streams, opened) = await mcp.McpStatsAsync();

            Assert.That(now, Is.EqualTo(before.Append("reopen_ticket").Order(StringComparer.Ordinal)), op.Output);
            Assert.That(shown, Is.LessThan(TimeSpan.FromSeconds(2)), "from the server's change to the entry that shows it");
            Assert.That(listedAfterOne - listedBefore, Is.EqualTo(1), "one tools/list for one notification");
            Assert.That(listedAfterTwo - listedAfterOne, Is.InRange(1, 2), "two notifications, coalesced");
            Assert.That((streams, opened), Is.EqualTo((1, 1)), "one subscription, held all along: the refreshes did not reopen it");
            TestContext.Out.WriteLine($"{sdk}: shown after {shown.TotalMilliseconds:F0} ms; two changes cost {listedAfterTwo - listedAfterOne} tools/list");
        }
        finally
        {
            File.Delete(sources);
        }
    }

    [Test]
    public async Task FiveSecondTtl_CSharpSdk_NoSubscription_TheNewToolIsThereWithinOneTtl_AskedOncePerTtl()
    {
        await using var mcp = await StartAsync("csharp", ttlMs: 5000);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Mcp.MinRefresh = TimeSpan.FromSeconds(1));
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();
        var before = await ToolsAsync(h);

        await mcp.AddToolAsync("reopen_ticket");
        h.Clock.Advance(TimeSpan.FromSeconds(4.9));
        var early = await h.RefreshDueAsync();
        var listedEarly = (await mcp.McpStatsAsync()).ToolsList;
        h.Clock.Advance(TimeSpan.FromSeconds(0.1));
        var due = await h.RefreshDueAsync();
        var after = await ToolsAsync(h);
        var again = await h.RefreshDueAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        var next = await h.RefreshDueAsync();
        var listed = (await mcp.McpStatsAsync()).ToolsList;

        Assert.That(before, Is.EqualTo(new[] { "close_ticket", "find_ticket" }));
        Assert.That(early, Is.Null, "not before the TTL ran out");
        Assert.That(listedEarly, Is.EqualTo(1));
        Assert.That(due?.Counts.Writes, Is.EqualTo(1));
        Assert.That(after, Is.EqualTo(new[] { "close_ticket", "find_ticket", "reopen_ticket" }));
        Assert.That(again, Is.Null, "the next one is a TTL later");
        Assert.That(next?.Counts.Writes, Is.Zero, "an unchanged list at its TTL is no write");
        Assert.That(listed, Is.EqualTo(3), "one tools/list per TTL: the cycle's and two refreshes");
    }

    [TestCase("csharp")]
    [TestCase("typescript")]
    public async Task NoTtlNoSubscription_TheNewToolWaitsForTheNextCycle(string sdk)
    {
        // The C# SDK sends ttlMs 0 ("stale at once") on 2026-07-28; the TypeScript SDK none: both mean the poll interval.
        await using var mcp = await StartAsync(sdk);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Mcp.MinRefresh = TimeSpan.FromSeconds(1));
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();
        var before = await ToolsAsync(h);

        await mcp.AddToolAsync("reopen_ticket");
        h.Clock.Advance(h.Options.PollInterval - TimeSpan.FromSeconds(1));
        var refresh = await h.RefreshDueAsync();
        var between = await ToolsAsync(h);
        var listedBetween = (await mcp.McpStatsAsync()).ToolsList;
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.CycleAsync();
        var listed = (await mcp.McpStatsAsync()).ToolsList;

        Assert.That(refresh, Is.Null, "nothing is scheduled between cycles");
        Assert.That(between, Is.EqualTo(before));
        Assert.That(listedBetween, Is.EqualTo(1));
        Assert.That(await ToolsAsync(h), Is.EqualTo(before.Append("reopen_ticket").Order(StringComparer.Ordinal)));
        Assert.That(listed, Is.EqualTo(2), "one tools/list per cycle");
    }

    private static readonly TimeSpan FreshnessSpacingAndAMargin = TimeSpan.FromSeconds(2.5);

    /// <summary>A wait that failed says what the operator printed.</summary>
    private static async Task<string> Within(OperatorServer op, Func<Task<string>> wait)
    {
        try
        {
            return await wait();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\noperator:\n{op.Output}", e);
        }
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(25);
        return true;
    }
}
