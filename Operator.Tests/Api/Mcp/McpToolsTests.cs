using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using ModelContextProtocol.Client;
using Moq;

namespace AgentLens.Operator.Tests.Api.Mcp;

/// <summary>
/// The catalog's MCP tools through the official C# SDK client against the server in process: schemas, each
/// tool's structured result, what each reader sees, bad arguments as tool errors, and the bearer challenge.
/// </summary>
[TestFixture]
public sealed class McpToolsTests
{
    private static readonly Dictionary<string, Visibility> Tokens = new()
    {
        ["alice"] = new Visibility(new HashSet<string> { McpCatalog.TeamA }),
        ["bob"] = new Visibility(new HashSet<string> { McpCatalog.TeamB }),
        ["admin"] = Visibility.All,
    };

    private readonly Mock<IAgentSearch> search = new();
    private McpHost host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // The index is not ours: the mock keeps what the filter it is given keeps, so visibility narrowing shows.
        search.Setup(s => s.Search(It.IsAny<string>(), It.IsAny<CatalogFilter>(), It.IsAny<int>())).Returns((string query, CatalogFilter filter, int limit) =>
        {
            var hits = McpCatalog.All.Where(filter.Matches).Select(e => new SearchHit(e, e == McpCatalog.Invoices ? 7.5f : 3.25f, e == McpCatalog.Invoices
                ? [new SearchMatch("a2a.skill", "translate_invoice", "<em>Translate</em> an invoice into German")]
                : [new SearchMatch("mcp.tool", "create_jira_issue", "Open a <em>Jira</em> ticket")])).ToList();
            return new SearchResults(query, hits.Count, [.. hits.Take(limit)]);
        });
        search.Setup(s => s.Search(It.Is<string>(q => q.Contains("*jira", StringComparison.Ordinal)), It.IsAny<CatalogFilter>(), It.IsAny<int>()))
            .Throws(new SearchQueryException("query: a leading wildcard at position 1 ('*jira') is not allowed"));
        host = await McpHost.StartAsync(McpCatalog.All, Tokens, search.Object);
    }

    [OneTimeTearDown]
    public async Task Stop() => await host.DisposeAsync();

    [Test]
    public async Task ToolsList_HasTheThreeTools_EachWithAnInputAndAnOutputSchema()
    {
        await using var client = await host.ConnectAsync("admin");

        var tools = await client.ListToolsAsync();

        Assert.That(tools.Select(t => t.Name), Is.EquivalentTo(new[] { "search_agents", "find_tools", "get_agent" }));
        foreach (var tool in tools)
        {
            Assert.That(tool.Description, Is.Not.Empty, tool.Name);
            Assert.That(tool.ProtocolTool.InputSchema.GetProperty("type").GetString(), Is.EqualTo("object"), tool.Name);
            Assert.That(tool.ProtocolTool.OutputSchema?.GetProperty("type").GetString(), Is.EqualTo("object"), tool.Name);
            Assert.That(tool.ProtocolTool.Annotations?.ReadOnlyHint, Is.True, tool.Name);
        }

        var search = tools.Single(t => t.Name == "search_agents").ProtocolTool;
        Assert.That(Names(search.InputSchema.GetProperty("properties")), Is.EquivalentTo(new[] { "query", "protocol", "namespace", "limit" }));
        Assert.That(search.InputSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(new[] { "query" }));
        Assert.That(Names(search.OutputSchema!.Value.GetProperty("properties")), Is.EquivalentTo(new[] { "query", "total", "agents" }));
        var get = tools.Single(t => t.Name == "get_agent").ProtocolTool;
        Assert.That(get.InputSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(new[] { "namespace", "name" }));
    }

    [TestCase(null, "2026-07-28")]
    [TestCase("2025-11-25", "2025-11-25")]
    [TestCase("2025-06-18", "2025-06-18")]
    [TestCase("2025-03-26", "2025-03-26")]
    public async Task EveryRevision_IsServed_WithTheServersNameAndInstructions(string? asked, string negotiated)
    {
        await using var client = await host.ConnectAsync("admin", asked);

        var tools = await client.ListToolsAsync();

        Assert.That(client.NegotiatedProtocolVersion, Is.EqualTo(negotiated));
        Assert.That(client.ServerInfo?.Name, Is.EqualTo("agentlens-catalog"));
        Assert.That(client.ServerInstructions, Does.Contain("search_agents").And.Contain("find_tools").And.Contain("get_agent"));
        Assert.That(tools, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task SearchAgents_RanksAgents_WithHowToReachThemAndTheirAuthentication()
    {
        await using var client = await host.ConnectAsync("admin");

        var result = await client.CallAsync("search_agents", ("query", "translate invoice"));

        Assert.That(result.IsError, Is.Not.True, result.Text());
        var body = result.Structured();
        Assert.That(body.GetProperty("total").GetInt32(), Is.EqualTo(2));
        var first = body.GetProperty("agents")[0];
        Assert.That(first.GetProperty("namespace").GetString(), Is.EqualTo(McpCatalog.TeamA));
        Assert.That(first.GetProperty("name").GetString(), Is.EqualTo("invoices-a2a"));
        Assert.That(first.GetProperty("score").GetDouble(), Is.EqualTo(7.5));
        Assert.That(first.GetProperty("matches")[0].GetProperty("name").GetString(), Is.EqualTo("translate_invoice"));
        var reach = first.GetProperty("reach");
        Assert.That(reach.GetProperty("a2aInterfaces").EnumerateArray().Select(i => (i.GetProperty("url").GetString(), i.GetProperty("binding").GetString(), i.GetProperty("protocolVersion").GetString())),
            Is.EquivalentTo(new[] { ("https://invoices.team-a.svc:8080/a2a", "JSONRPC", "1.0"), ("https://invoices.team-a.svc:8080/rest", "HTTP+JSON", "0.3") }));
        var auth = reach.GetProperty("authentication");
        Assert.That(auth.GetProperty("schemes")[0].GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
        Assert.That(auth.GetProperty("required")[0].GetProperty("schemes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "bearer", "oauth" }));
        Assert.That(auth.GetProperty("required")[0].GetProperty("scopes").GetProperty("oauth").GetString(), Is.EqualTo("invoices.read,invoices.write"));
        var mcp = body.GetProperty("agents")[1].GetProperty("reach").GetProperty("mcp");
        Assert.That((mcp.GetProperty("url").GetString(), mcp.GetProperty("transport").GetString()), Is.EqualTo(("http://tickets.team-b.svc:3000/mcp", "streamable-http")));
        Assert.That(result.Text(), Does.Contain("invoices-a2a"), "the same result as text, for clients that read only content blocks");
    }

    [Test]
    public async Task SearchAgents_ProtocolAndNamespace_NarrowTheSearch()
    {
        await using var client = await host.ConnectAsync("admin");

        var mcp = (await client.CallAsync("search_agents", ("query", "ticket"), ("protocol", "mcp"))).Structured();
        var teamA = (await client.CallAsync("search_agents", ("query", "ticket"), ("namespace", McpCatalog.TeamA))).Structured();

        Assert.That(mcp.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()), Is.EqualTo(new[] { "tickets-mcp" }));
        Assert.That(teamA.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()), Is.EqualTo(new[] { "invoices-a2a" }));
    }

    [Test]
    public async Task FindTools_ReturnsTheMatchedToolsWithTheirAgent()
    {
        await using var client = await host.ConnectAsync("admin");

        var result = await client.CallAsync("find_tools", ("query", "open a jira ticket"), ("limit", 5));

        var tools = result.Structured().GetProperty("tools");
        var jira = tools.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "create_jira_issue");
        Assert.That(jira.GetProperty("kind").GetString(), Is.EqualTo("mcp.tool"));
        Assert.That(jira.GetProperty("description").GetString(), Is.EqualTo("Open a Jira ticket"));
        Assert.That(jira.GetProperty("snippet").GetString(), Does.Contain("<em>Jira</em>"));
        Assert.That(jira.GetProperty("agent").GetProperty("namespace").GetString(), Is.EqualTo(McpCatalog.TeamB));
        Assert.That(jira.GetProperty("agent").GetProperty("name").GetString(), Is.EqualTo("tickets-mcp"));
        Assert.That(jira.GetProperty("agent").GetProperty("endpoint").GetString(), Is.EqualTo("http://tickets.team-b.svc:3000/mcp"));
    }

    [Test]
    public async Task GetAgent_ReturnsTheEntry_CardCapabilitiesConditionsAndLifecycle()
    {
        await using var client = await host.ConnectAsync("admin");

        var result = await client.CallAsync("get_agent", ("namespace", McpCatalog.TeamA), ("name", "invoices-a2a"));

        Assert.That(result.IsError, Is.Not.True, result.Text());
        var agent = result.Structured();
        Assert.That(agent.GetProperty("lifecycle").GetString(), Is.EqualTo("Active"));
        Assert.That(agent.GetProperty("protocol").GetString(), Is.EqualTo("a2a"));
        Assert.That(agent.GetProperty("card").GetProperty("displayName").GetString(), Is.EqualTo("Invoice Translator"));
        Assert.That(agent.GetProperty("card").GetProperty("source").GetString(), Is.EqualTo("kubernetes:team-a/invoices-a2a"));
        Assert.That(agent.GetProperty("capabilities").GetArrayLength(), Is.EqualTo(McpCatalog.Invoices.Entry!.Status.Capabilities.Length));
        Assert.That(agent.GetProperty("conditions")[0].GetProperty("type").GetString(), Is.EqualTo("CardFetched"));
        Assert.That(agent.GetProperty("conditions")[0].GetProperty("status").GetString(), Is.EqualTo("True"));
        Assert.That(agent.GetProperty("reach").GetProperty("a2aInterfaces").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task TwoReaders_EachGetsOnlyTheirNamespace_AndAnInvisibleEntryReadsAsMissing()
    {
        await using var alice = await host.ConnectAsync("alice");
        await using var bob = await host.ConnectAsync("bob");

        var aliceSearch = (await alice.CallAsync("search_agents", ("query", "agent"))).Structured();
        var bobSearch = (await bob.CallAsync("search_agents", ("query", "agent"))).Structured();
        var aliceOwn = await alice.CallAsync("get_agent", ("namespace", McpCatalog.TeamA), ("name", "invoices-a2a"));
        var aliceOther = await alice.CallAsync("get_agent", ("namespace", McpCatalog.TeamB), ("name", "tickets-mcp"));
        var aliceMissing = await alice.CallAsync("get_agent", ("namespace", McpCatalog.TeamB), ("name", "no-such-agent"));
        var bobTools = (await bob.CallAsync("find_tools", ("query", "translate"))).Structured();

        Assert.That(aliceSearch.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()), Is.EqualTo(new[] { "invoices-a2a" }));
        Assert.That(aliceSearch.GetProperty("total").GetInt32(), Is.EqualTo(1));
        Assert.That(bobSearch.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()), Is.EqualTo(new[] { "tickets-mcp" }));
        Assert.That(bobTools.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()), Is.EqualTo(new[] { "create_jira_issue" }));
        Assert.That(aliceOwn.IsError, Is.Not.True);
        Assert.That(aliceOther.IsError, Is.True);
        Assert.That(aliceOther.Text(), Does.Contain("no catalog entry named 'tickets-mcp'"));
        Assert.That(aliceOther.Text().Replace("tickets-mcp", "no-such-agent", StringComparison.Ordinal), Is.EqualTo(aliceMissing.Text()), "an invisible entry reads exactly as a missing one");
    }

    [Test]
    public async Task GetAgent_WrongNamespace_IsNotFound()
    {
        await using var client = await host.ConnectAsync("admin");

        var result = await client.CallAsync("get_agent", ("namespace", McpCatalog.TeamB), ("name", "invoices-a2a"));

        Assert.That(result.IsError, Is.True);
        Assert.That(result.Text(), Does.Contain("no catalog entry named 'invoices-a2a' in namespace 'team-b'"));
    }

    [TestCase("search_agents", "limit", 0, "limit must be between 1 and 100")]
    [TestCase("search_agents", "limit", 101, "limit must be between 1 and 100")]
    [TestCase("find_tools", "limit", 0, "limit must be between 1 and 100")]
    [TestCase("search_agents", "protocol", "grpc", "protocol must be a2a, mcp or a2ui, not 'grpc'")]
    [TestCase("search_agents", "query", "*jira", "a leading wildcard at position 1")]
    [TestCase("find_tools", "query", "*jira", "a leading wildcard at position 1")]
    public async Task BadArguments_AreToolErrorsSayingWhatIsWrong(string tool, string argument, object value, string message)
    {
        await using var client = await host.ConnectAsync("admin");
        var arguments = new List<(string, object?)> { (argument, value) };
        if (argument != "query")
        {
            arguments.Add(("query", "invoice"));
        }

        var result = await client.CallAsync(tool, [.. arguments]);

        Assert.That(result.IsError, Is.True);
        Assert.That(result.Text(), Does.Contain(message));
    }

    [Test]
    public async Task HostileArguments_AreNotEchoedVerbatim()
    {
        await using var client = await host.ConnectAsync("admin");
        var hostile = "x\u001b[31m\r\nInjected: yes" + new string('a', 500);

        var result = await client.CallAsync("get_agent", ("namespace", "team-a"), ("name", hostile));

        Assert.That(result.IsError, Is.True);
        Assert.That(result.Text(), Does.Not.Contain("\u001b").And.Not.Contain("\r\n").And.Not.Contain(new string('a', 100)));
    }

    [Test]
    public async Task NoToken_Is401_WithABearerChallengePointingAtTheResourceMetadata()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");

        using var response = await http.SendAsync(request);
        var challenge = response.Headers.WwwAuthenticate.Single();
        var metadataUrl = challenge.Parameter!.Split("resource_metadata=\"")[1].Split('"')[0];
        using var metadata = JsonDocument.Parse(await http.GetStringAsync(metadataUrl));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(challenge.Scheme, Is.EqualTo("Bearer"));
        Assert.That(challenge.Parameter, Does.Not.Contain("error="), "no token sent: no error code (RFC 6750 3.1)");
        Assert.That(metadataUrl, Is.EqualTo(host.Url.Replace("/mcp", "/.well-known/oauth-protected-resource/mcp", StringComparison.Ordinal)));
        Assert.That(metadata.RootElement.GetProperty("resource").GetString(), Is.EqualTo(host.Url));
        Assert.That(metadata.RootElement.GetProperty("bearer_methods_supported")[0].GetString(), Is.EqualTo("header"));
    }

    /// <summary>The one-line curl of docs/mcp.md and make run: a bare JSON-RPC POST, no handshake (the server is stateless).</summary>
    [Test]
    public async Task PlainJsonRpcPost_ListsTheTools()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "admin");
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("\"search_agents\"").And.Contain("\"find_tools\"").And.Contain("\"get_agent\"").And.Contain("\"outputSchema\""));
    }

    [Test]
    public async Task WrongToken_Is401_WithInvalidToken()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "mallory");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().Parameter, Does.Contain("error=\"invalid_token\""));
    }

    [Test]
    public async Task ApiAuthNone_NoTokenNeeded_AndEverythingIsVisible()
    {
        await using var open = await McpHost.StartAsync(McpCatalog.All, tokens: null, search.Object);
        await using var client = await open.ConnectAsync(token: null);

        var found = (await client.CallAsync("search_agents", ("query", "agent"))).Structured();
        var get = await client.CallAsync("get_agent", ("namespace", McpCatalog.TeamB), ("name", "tickets-mcp"));

        Assert.That(found.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "invoices-a2a", "tickets-mcp" }));
        Assert.That(get.IsError, Is.Not.True, get.Text());
    }

    [Test]
    public async Task WithoutASearchIndex_GetAgentStillWorks_AndSearchSaysWhy()
    {
        await using var bare = await McpHost.StartAsync(McpCatalog.All, Tokens, search: null);
        await using var client = await bare.ConnectAsync("admin");

        var get = await client.CallAsync("get_agent", ("namespace", McpCatalog.TeamB), ("name", "tickets-mcp"));
        var found = await client.CallAsync("search_agents", ("query", "jira"));

        Assert.That(get.IsError, Is.Not.True, get.Text());
        Assert.That(found.IsError, Is.True);
        Assert.That(found.Text(), Does.Contain("search is not available"));
    }

    private static IEnumerable<string> Names(JsonElement properties) => properties.EnumerateObject().Select(p => p.Name);
}
