using System.Text.Json;
using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using Moq;

namespace AgentLens.Operator.Tests.Api.Mcp;

/// <summary>
/// What the catalog's MCP tools tell a calling agent about access, through the official C# SDK client: a protected
/// MCP server's <c>reach.authorization</c> names who grants tokens, which scopes to ask for and the resource
/// metadata URL; an A2A card's names its alternatives; an open server's is null.
/// </summary>
[TestFixture]
public sealed class McpAuthorizationTests
{
    private static readonly StoredEntry PrivateDocs = ProtectedEntries.Protect(McpCatalog.Tickets with { Name = "private-docs" });
    private static readonly StoredEntry SecureInvoices = ProtectedEntries.Secure(McpCatalog.Invoices);
    private static readonly IReadOnlyList<StoredEntry> Entries = [PrivateDocs, SecureInvoices, McpCatalog.Tickets];
    private McpHost host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var search = new Mock<IAgentSearch>();
        search.Setup(s => s.Search(It.IsAny<string>(), It.IsAny<CatalogFilter>(), It.IsAny<int>())).Returns((string query, CatalogFilter filter, int limit) =>
            new SearchResults(query, Entries.Count, [.. Entries.Where(filter.Matches).Select(e => new SearchHit(e, 1f, []))]));
        host = await McpHost.StartAsync(Entries, new Dictionary<string, Visibility> { ["admin"] = Visibility.All }, search.Object);
    }

    [OneTimeTearDown]
    public async Task Stop() => await host.DisposeAsync();

    [Test]
    public async Task GetAgent_AProtectedServer_SaysItNeedsATokenFromWhomWithWhichScopesAndWhereItsMetadataIs()
    {
        await using var client = await host.ConnectAsync("admin");

        var result = await client.CallAsync("get_agent", ("namespace", McpCatalog.TeamB), ("name", "private-docs"));

        Assert.That(result.IsError, Is.Not.True, result.Text());
        var authorization = result.Structured().GetProperty("reach").GetProperty("authorization");
        Assert.That(authorization.GetProperty("required").GetBoolean(), Is.True);
        Assert.That(authorization.GetProperty("summary").GetString(), Is.EqualTo("required (auth.example.test)"));
        Assert.That(Strings(authorization.GetProperty("authorizationServers")), Is.EqualTo(new[] { ProtectedEntries.Issuer }));
        Assert.That(Strings(authorization.GetProperty("scopes")), Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(authorization.GetProperty("resourceMetadataUrl").GetString(), Is.EqualTo(ProtectedEntries.MetadataUrl));
        Assert.That(result.Structured().GetProperty("conditions").EnumerateArray().Select(c => c.GetProperty("reason").GetString()), Has.Member("AuthorizationRequired"));
    }

    [Test]
    public async Task SearchAgents_EachHitSaysWhetherItNeedsAuthorization()
    {
        await using var client = await host.ConnectAsync("admin");

        var agents = (await client.CallAsync("search_agents", ("query", "docs"))).Structured().GetProperty("agents").EnumerateArray()
            .ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("reach").GetProperty("authorization"));

        Assert.That(agents["private-docs"].GetProperty("required").GetBoolean(), Is.True);
        Assert.That(agents["invoices-a2a"].GetProperty("required").GetBoolean(), Is.True, "the card requires one of its alternatives");
        Assert.That(Strings(agents["invoices-a2a"].GetProperty("alternatives")), Is.EqualTo(new[] { "oauth", "apiKey" }));
        Assert.That(Strings(agents["invoices-a2a"].GetProperty("scopes")), Is.EqualTo(new[] { "invoices.read", "invoices.write" }));
        Assert.That(agents["invoices-a2a"].GetProperty("extendedCard").GetBoolean(), Is.True);
        Assert.That(agents["tickets-mcp"].ValueKind, Is.EqualTo(JsonValueKind.Null), "an open server declares nothing");
    }

    [Test]
    public async Task TheOutputSchema_DescribesAuthorization()
    {
        await using var client = await host.ConnectAsync("admin");

        var get = (await client.ListToolsAsync()).Single(t => t.Name == "get_agent").ProtocolTool;

        var reach = get.OutputSchema!.Value.GetProperty("properties").GetProperty("reach");
        var authorization = reach.GetProperty("properties").GetProperty("authorization");
        Assert.That(authorization.GetRawText(), Does.Contain("authorizationServers").And.Contain("resourceMetadataUrl").And.Contain("scopes"));
        Assert.That(authorization.GetRawText(), Does.Contain("authorization servers (issuer URLs)"), "each field is described for the calling model");
    }

    private static string?[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];
}
