using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>
/// Many agents behind one gateway origin, told apart by path: one entry per agent, duplicates reported, and
/// an entry whose identity changes form keeps its name.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class GatewayTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static string McpCard(string name) =>
        $$"""{"serverInfo":{"name":"{{name}}","version":"1.0"},"tools":[{"name":"{{name}}-tool","description":"does {{name}}"}]}""";

    /// <summary>One loopback port: A2A agents under /agents/&lt;name&gt;/, MCP servers under /mcp/&lt;name&gt;, and a card at the root.</summary>
    private static LoopbackServer Gateway() => new((request, stream, ct) =>
    {
        var parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts switch
        {
            ["agents", var name, ".well-known", "agent-card.json"] => LoopbackServer.Respond(stream, 200, SwitchableAgent.Card(name, $"{name}-skill"), ct: ct),
            [".well-known", "agent-card.json"] => LoopbackServer.Respond(stream, 200, SwitchableAgent.Card("root", "root-skill"), ct: ct),
            ["mcp", var name, "server-card"] => LoopbackServer.Respond(stream, 200, McpCard(name), "application/mcp-server-card+json", ct),
            _ => LoopbackServer.Respond(stream, 404, "{}", ct: ct),
        };
    });

    [Test]
    public async Task ThreeA2aAgentsAndTwoMcpServersOnOneOrigin_AreFiveEntries_AndADuplicateIsReported()
    {
        await using var gateway = Gateway();
        using var h = await ReconcilerHarness.CreateAsync(cp);
        foreach (var name in new[] { "one", "two", "three" })
        {
            await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, $"a2a-{name}", "127.0.0.1", gateway.Port,
                new() { ["agentlens.io/card-path"] = $"/agents/{name}/.well-known/agent-card.json" });
        }

        foreach (var name in new[] { "alpha", "beta" })
        {
            await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, $"mcp-{name}", "127.0.0.1", gateway.Port,
                new() { ["agentlens.io/type"] = "mcp", ["agentlens.io/path"] = $"/mcp/{name}" });
        }

        // A second Service announcing agent "two" again, under its base path.
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "a2a-two-again", "127.0.0.1", gateway.Port,
            new() { ["agentlens.io/path"] = "/agents/two" });

        var report = await h.CycleAsync();

        Assert.That(report.Result, Is.EqualTo("success"));
        var entries = (await h.EntriesAsync()).Values.Select(e => e.Entry!).ToList();
        var origin = $"http://127.0.0.1:{gateway.Port}";
        Assert.That(entries.Select(e => e.Spec.Endpoint), Is.EquivalentTo(new[]
        {
            $"{origin}/agents/one", $"{origin}/agents/two", $"{origin}/agents/three", $"{origin}/mcp/alpha", $"{origin}/mcp/beta",
        }));
        Assert.That(entries.Select(e => e.Status.DisplayName), Is.EquivalentTo(new[] { "one", "two", "three", "alpha", "beta" }));
        Assert.That(entries, Has.All.Matches<AgentType>(e => e.Status.Lifecycle == Lifecycle.Active));
        var loser = (await Tenant.EventsAboutAsync(cp.Client, h.ServicesNamespace, "a2a-two-again")).Single();
        Assert.That(loser.Reason, Is.EqualTo("DuplicateAgent"));
        Assert.That(loser.Message, Does.Contain($"Service {h.ServicesNamespace}/a2a-two"));
    }

    [Test]
    public async Task IdentityThatChangesForm_KeepsTheEntrysName()
    {
        await using var gateway = Gateway();
        using var h = await ReconcilerHarness.CreateAsync(cp);
        var service = await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "agent", "127.0.0.1", gateway.Port);
        await h.CycleAsync();
        var before = await h.SingleAsync();
        Assert.That(before.Entry!.Spec.Endpoint, Is.EqualTo($"http://127.0.0.1:{gateway.Port}"));

        // The platform team moves the Service to the agent's own path on the gateway.
        service.Metadata.Annotations["agentlens.io/card-path"] = "/agents/one/.well-known/agent-card.json";
        await cp.Client.CoreV1.ReplaceNamespacedServiceAsync(service, "agent", h.ServicesNamespace);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();

        var after = await h.SingleAsync();
        Assert.That(after.Name, Is.EqualTo(before.Name), "migrated in place: no delete-and-recreate");
        Assert.That(after.Entry!.Spec.Endpoint, Is.EqualTo($"http://127.0.0.1:{gateway.Port}/agents/one"));
        Assert.That(after.Entry.Status.DisplayName, Is.EqualTo("one"));
        Assert.That(after.Entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(h.Logs.Lines, Has.Some.Contains("moves from"));
    }
}
