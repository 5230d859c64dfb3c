using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>
/// A live MCP server changes its tool list: with a ttlMs the entry shows the new tool within one TTL (on the
/// harness's fake clock), without one at the next cycle — and the server is asked no more than once per TTL.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class FreshToolListTests
{
    private const string Echo = """{"name":"echo","inputSchema":{"type":"object"}}""";
    private const string Reverse = """{"name":"reverse","inputSchema":{"type":"object"}}""";
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static async Task<string[]> ToolsAsync(ReconcilerHarness h) =>
        [.. (await h.SingleAsync()).Entry!.Status.Capabilities.Where(c => c.Kind == CapabilityKinds.McpTool).Select(c => c.Name)];

    [Test]
    public async Task WithAFiveSecondTtl_TheNewToolIsThereWithinOneTtl_AskedOncePerTtl()
    {
        await using var mcp = new ListingMcp();
        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}}],"ttlMs":5000,"cacheScope":"public"}""");
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Mcp.MinRefresh = TimeSpan.FromSeconds(1));
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();
        Assert.That(await ToolsAsync(h), Is.EqualTo(new[] { "echo" }));

        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}},{{Reverse}}],"ttlMs":5000,"cacheScope":"public"}""");
        h.Clock.Advance(TimeSpan.FromSeconds(4));
        var early = await h.RefreshDueAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var due = await h.RefreshDueAsync();
        var again = await h.RefreshDueAsync();

        Assert.That(early, Is.Null, "not before the TTL ran out");
        Assert.That(due, Is.Not.Null);
        Assert.That(due!.Counts.Writes, Is.EqualTo(1));
        Assert.That(await ToolsAsync(h), Is.EqualTo(new[] { "echo", "reverse" }));
        Assert.That(again, Is.Null, "the next refresh is one TTL after this one");
        Assert.That(mcp.Calls("tools/list"), Is.EqualTo(2), "one introspection per TTL");
        var entry = (await h.SingleAsync()).Entry!;
        Assert.That(entry.Status.CapabilitiesObservedAt, Is.EqualTo(h.Clock.GetUtcNow().AddTicks(-(h.Clock.GetUtcNow().UtcTicks % TimeSpan.TicksPerSecond))));
        Assert.That(entry.Status.Capabilities.Select(c => c.Source), Is.All.EqualTo(CapabilitySources.Introspection));
    }

    [Test]
    public async Task AnUnchangedListAtItsTtl_IsNoWrite()
    {
        await using var mcp = new ListingMcp();
        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}}],"ttlMs":5000}""");
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Mcp.MinRefresh = TimeSpan.FromSeconds(1));
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();
        var before = (await h.SingleAsync()).ResourceVersion;

        h.Clock.Advance(TimeSpan.FromSeconds(5));
        var refresh = await h.RefreshDueAsync();

        Assert.That(refresh, Is.Not.Null);
        Assert.That(refresh!.Counts.Writes, Is.Zero);
        Assert.That((await h.SingleAsync()).ResourceVersion, Is.EqualTo(before));
        Assert.That(mcp.Calls("tools/list"), Is.EqualTo(2));
    }

    [Test]
    public async Task WithoutATtl_TheNewToolWaitsForTheNextCycle()
    {
        await using var mcp = new ListingMcp();
        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}}]}""");
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Mcp.MinRefresh = TimeSpan.FromSeconds(1));
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();

        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}},{{Reverse}}]}""");
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        var refresh = await h.RefreshDueAsync();
        Assert.That(refresh, Is.Null, "no TTL: nothing before the cycle");
        Assert.That(await ToolsAsync(h), Is.EqualTo(new[] { "echo" }));

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.CycleAsync();

        Assert.That(await ToolsAsync(h), Is.EqualTo(new[] { "echo", "reverse" }));
        Assert.That(mcp.Calls("tools/list"), Is.EqualTo(2));
    }

    [Test]
    public async Task AnEntryItsSourceNoLongerLists_IsNotBroughtBackByARefresh()
    {
        await using var mcp = new ListingMcp();
        mcp.Answer("tools/list", $$"""{"tools":[{{Echo}}],"ttlMs":5000}""");
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Mcp.MinRefresh = TimeSpan.FromSeconds(1));
        await h.WriteStaticMcpAsync("tools", mcp.BaseUrl);
        await h.CycleAsync();
        var agent = h.Freshness.Announcing().Count;
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        var (due, _) = h.Freshness.TakeDue();
        File.WriteAllText(h.StaticPath, "sources: []\n");
        await h.CycleAsync();

        var refresh = await h.Reconciler.RefreshAsync(due, CancellationToken.None);

        Assert.That(agent, Is.Zero, "this server announces no list_changed");
        Assert.That(due, Has.Count.EqualTo(1));
        Assert.That(refresh!.Agents, Is.Zero);
        Assert.That((await h.SingleAsync()).Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Offline));
        Assert.That(mcp.Calls("tools/list"), Is.EqualTo(1));
    }
}
