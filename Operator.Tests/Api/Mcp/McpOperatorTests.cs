using System.Net;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Mcp;

/// <summary>
/// The catalog's MCP server in a real operator process (--api-auth kubernetes) over a real API server: two teams
/// each announce an A2A agent (the @a2a-js/sdk server); a service account of each team may list agenttypes in
/// its own namespace only. Both official SDK clients — C# and TypeScript — call it with those tokens.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class McpOperatorTests
{
    private ControlPlane cp = null!;
    private string store = null!;
    private string teamA = null!;
    private string teamB = null!;
    private NodeAgent agentA = null!;
    private NodeAgent agentB = null!;
    private OperatorServer op = null!;
    private string tokenA = null!;
    private string tokenB = null!;
    private string entryA = null!;
    private string entryB = null!;

    private string McpUrl => $"http://127.0.0.1:{op.Port}/mcp";

    [OneTimeSetUp]
    public async Task StartOperator()
    {
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "mcp-store");
        teamA = await TestNamespaces.CreateAsync(cp.Client, "mcp-a");
        teamB = await TestNamespaces.CreateAsync(cp.Client, "mcp-b");
        agentA = await NodeAgent.StartA2aAsync("Weather Agent");
        agentB = await NodeAgent.StartA2aAsync("Billing Agent");
        await AnnounceAsync(teamA, "weather", agentA.Port);
        await AnnounceAsync(teamB, "billing", agentB.Port);
        tokenA = await ReaderTokenAsync(teamA);
        tokenB = await ReaderTokenAsync(teamB);
        op = await OperatorServer.StartAsync(cp, store, "--namespaces", $"{teamA},{teamB}", "--poll-interval", "2s", "--api-auth", "kubernetes");
        entryA = await EntryNameAsync(teamA);
        entryB = await EntryNameAsync(teamB);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await op.DisposeAsync();
        await agentA.DisposeAsync();
        await agentB.DisposeAsync();
    }

    private Task<V1Service> AnnounceAsync(string ns, string name, int agentPort) => cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a", ["agentlens.io/port"] = $"{agentPort}" } },
        Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
    }, ns);

    private async Task<string> ReaderTokenAsync(string ns)
    {
        await TestRbac.GrantAsync(cp.Client, ns, "agenttypes-reader", "reader", new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["get", "list", "watch"] });
        var (client, token) = await cp.ServiceAccountClientAsync(ns, "reader");
        client.Dispose();
        return token;
    }

    // The team's agent crawled (Active): its entry's ConfigMap in the store names the team's namespace.
    private async Task<string> EntryNameAsync(string ns) => await Poll.UntilAsync(
        async () => (await cp.Client.CoreV1.ListNamespacedConfigMapAsync(store, labelSelector: $"agentlens.io/source-namespace={ns},agentlens.io/lifecycle=Active")).Items.SingleOrDefault()?.Metadata.Name ?? string.Empty,
        name => name.Length > 0);

    [Test]
    public async Task CSharpClient_TwoUsers_EachGetsTheirTeamsAgent_AndTheOtherTeamsReadsAsMissing()
    {
        await using var alice = await McpClients.ConnectAsync(McpUrl, tokenA);
        await using var bob = await McpClients.ConnectAsync(McpUrl, tokenB);

        var aliceOwn = await alice.CallAsync("get_agent", ("namespace", teamA), ("name", entryA));
        var aliceOther = await alice.CallAsync("get_agent", ("namespace", teamB), ("name", entryB));
        var bobOwn = await bob.CallAsync("get_agent", ("namespace", teamB), ("name", entryB));
        var bobOther = await bob.CallAsync("get_agent", ("namespace", teamA), ("name", entryA));

        Assert.That(aliceOwn.IsError, Is.Not.True, aliceOwn.Text());
        Assert.That(aliceOwn.Structured().GetProperty("card").GetProperty("displayName").GetString(), Is.EqualTo("Weather Agent"));
        Assert.That(aliceOwn.Structured().GetProperty("lifecycle").GetString(), Is.EqualTo("Active"));
        Assert.That(aliceOwn.Structured().GetProperty("reach").GetProperty("a2aInterfaces")[0].GetProperty("url").GetString(), Does.StartWith($"http://127.0.0.1:{agentA.Port}"));
        Assert.That(bobOwn.Structured().GetProperty("card").GetProperty("displayName").GetString(), Is.EqualTo("Billing Agent"));
        Assert.That(aliceOther.IsError, Is.True);
        Assert.That(aliceOther.Text(), Does.Contain("no catalog entry named"));
        Assert.That(bobOther.IsError, Is.True);
        Assert.That(bobOther.Text(), Does.Contain("no catalog entry named"));
    }

    [Test]
    public async Task TypeScriptClient_ListsTheToolsWithSchemas_AndCallsGetAgent()
    {
        var run = await ProcessRunner.RunAsync("node", [Repo.Path("hack", "agents", "mcp-catalog-client.mjs"), McpUrl, "get_agent", JsonSerializer.Serialize(new { @namespace = teamA, name = entryA })],
            TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["AGENTLENS_TOKEN"] = tokenA });

        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        using var output = JsonDocument.Parse(run.StandardOutput);
        var root = output.RootElement;
        Assert.That(root.GetProperty("server").GetString(), Is.EqualTo("agentlens-catalog"));
        Assert.That(root.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "search_agents", "find_tools", "get_agent" }));
        Assert.That(root.GetProperty("tools").EnumerateArray().All(t => t.GetProperty("outputSchema").ValueKind == JsonValueKind.Object), Is.True);
        // The TypeScript client has already checked the structured content against get_agent's output schema.
        var call = root.GetProperty("call");
        Assert.That(call.TryGetProperty("isError", out var isError) && isError.GetBoolean(), Is.False, call.GetRawText());
        Assert.That(call.GetProperty("structuredContent").GetProperty("name").GetString(), Is.EqualTo(entryA));
        Assert.That(call.GetProperty("structuredContent").GetProperty("namespace").GetString(), Is.EqualTo(teamA));
    }

    [Test]
    public async Task TypeScriptClient_WithoutAToken_IsRefused()
    {
        var run = await ProcessRunner.RunAsync("node", [Repo.Path("hack", "agents", "mcp-catalog-client.mjs"), McpUrl], TimeSpan.FromSeconds(60));

        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.StandardError, Does.Contain("mcp-catalog-client:"));
    }

    [Test]
    public async Task NoToken_Is401_WithABearerChallenge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, McpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };

        using var response = await op.Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Bearer"));
        Assert.That(response.Headers.WwwAuthenticate.Single().Parameter, Does.Contain($"resource_metadata=\"http://127.0.0.1:{op.Port}/.well-known/oauth-protected-resource/mcp\""));
    }

    /// <summary>Needs the search index (IAgentSearch, the search branch): until it is registered, search_agents says it is not available.</summary>
    [Test]
    public async Task SearchAgents_FindsOnlyWhatTheCallerMaySee()
    {
        await using var alice = await McpClients.ConnectAsync(McpUrl, tokenA);

        var result = await alice.CallAsync("search_agents", ("query", "agent"));

        Assert.That(result.IsError, Is.Not.True, result.Text());
        var names = result.Structured().GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.That(names, Does.Contain(entryA));
        Assert.That(names, Does.Not.Contain(entryB));
    }
}
