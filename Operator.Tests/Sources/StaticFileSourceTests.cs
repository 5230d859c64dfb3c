using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Tests.Sources;

[TestFixture]
public sealed class StaticFileSourceTests
{
    private string path = null!;

    [SetUp]
    public void SetUp() => path = Path.Combine(Path.GetTempPath(), $"agentlens-sources-{Guid.NewGuid():N}.yaml");

    [TearDown]
    public void TearDown() => File.Delete(path);

    private StaticFileSource Source() =>
        new(new OperatorOptions { StaticSourcesPath = path }.Sources(), TestMeterFactory.NewMetrics(), NullLogger<StaticFileSource>.Instance);

    private const string Good = """
        sources:
          - name: partner
            type: a2a
            url: https://Agents.Partner.example/.well-known/agent-card.json
            team: travel
            tags: [booking, partner, booking]
            timeout: 5s
          - name: search
            type: mcp
            url: http://search.tools.internal:8000/mcp
            tags: "search, internal"
            headers:
              X-Client: agentlens
            bearerTokenFile: /var/run/secrets/agentlens/token
          - name: ui
            type: a2ui
            url: http://ui.example:8080
        """;

    [Test]
    public async Task DiscoverAsync_GoodFile_ListsEveryAgent()
    {
        await File.WriteAllTextAsync(path, Good);

        var agents = (await Source().DiscoverAsync(CancellationToken.None)).ToDictionary(a => a.Source.Name);

        Assert.That(agents["partner"].Endpoint, Is.EqualTo("https://agents.partner.example"));
        Assert.That(agents["partner"].CardUrls, Is.EqualTo(new[] { "https://Agents.Partner.example/.well-known/agent-card.json" }));
        Assert.That(agents["partner"].Tags, Is.EqualTo(new[] { "booking", "partner" }));
        Assert.That(agents["partner"].Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(agents["partner"].Source.Type, Is.EqualTo(SourceType.Static));
        Assert.That(agents["search"].Endpoint, Is.EqualTo("http://search.tools.internal:8000/mcp"));
        Assert.That(agents["search"].McpUrl, Is.EqualTo("http://search.tools.internal:8000/mcp"));
        Assert.That(agents["search"].CardUrls.Take(4), Is.EqualTo(new[]
        {
            "http://search.tools.internal:8000/mcp/server-card",
            "http://search.tools.internal:8000/.well-known/ai-catalog.json",
            "http://search.tools.internal:8000/.well-known/ard.json",
            "http://search.tools.internal:8000/.well-known/mcp/server-card.json",
        }), "the server card next to the MCP endpoint, the domain's AI Catalog (else ARD), then the older well-known paths");
        Assert.That(agents["search"].Headers["X-Client"], Is.EqualTo("agentlens"));
        Assert.That(agents["search"].BearerTokenFile, Is.EqualTo("/var/run/secrets/agentlens/token"));
        Assert.That(agents["ui"].CardUrls[0], Is.EqualTo("http://ui.example:8080/.well-known/agent-card.json"));
    }

    [Test]
    public async Task DiscoverAsync_MissingFile_MeansNoAgents() =>
        Assert.That(await Source().DiscoverAsync(CancellationToken.None), Is.Empty);

    [Test]
    public async Task DiscoverAsync_FileChanges_AreReadNextCycleWithoutRestart()
    {
        var source = Source();
        await File.WriteAllTextAsync(path, Good);
        await source.DiscoverAsync(CancellationToken.None);

        await File.WriteAllTextAsync(path, "sources:\n  - {name: only, type: a2a, url: http://only.example}\n");
        var agents = await source.DiscoverAsync(CancellationToken.None);

        Assert.That(agents.Select(a => a.Source.Name), Is.EqualTo(new[] { "only" }));
    }

    [Test]
    public async Task DiscoverAsync_InvalidFileAfterAGoodOne_KeepsTheLastGoodAndSaysWhy()
    {
        var source = Source();
        await File.WriteAllTextAsync(path, Good);
        await source.DiscoverAsync(CancellationToken.None);

        await File.WriteAllTextAsync(path, "sources:\n  - name: broken\n    type: a2a\n    url: ftp://nope\n");
        var agents = await source.DiscoverAsync(CancellationToken.None);

        Assert.That(agents, Has.Count.EqualTo(3));
        Assert.That(source.LastProblem, Does.Contain("line 2: sources[0].url").And.Contain("ftp"));
    }

    [Test]
    public async Task DiscoverAsync_InvalidFileWithNoGoodOneYet_FailsTheSource()
    {
        await File.WriteAllTextAsync(path, "sources: [");

        var e = Assert.ThrowsAsync<SourceException>(() => Source().DiscoverAsync(CancellationToken.None));

        Assert.That(e!.Reason, Is.EqualTo("InvalidConfig"));
        Assert.That(e.Message, Does.Contain("line"));
    }

    [TestCase("sources:\n  - {name: a, type: a2a, url: http://a}\n  - {name: a, type: mcp, url: http://b}\n", "line 3: sources[1].name: duplicate name 'a' (first used at line 2)")]
    [TestCase("sources:\n  - {type: a2a, url: http://a}\n", "line 2: sources[0].name: required")]
    [TestCase("sources:\n  - {name: a, type: grpc, url: http://a}\n", "sources[0].type: 'grpc' is not one of a2a, mcp, a2ui")]
    [TestCase("sources:\n  - {name: a, type: a2a, url: http://a, timeout: forever}\n", "sources[0].timeout: 'forever' is not a duration")]
    [TestCase("sources:\n  - {name: a, type: a2a, url: http://a, tgas: [x]}\n", "unknown field 'tgas'")]
    [TestCase("sources:\n  - {name: a, type: a2a, url: http://a, headers: [x]}\n", "sources[0].headers: must map header names to values")]
    [TestCase("sources:\n  - {name: a, type: a2a, url: 'http://u:p@a'}\n", "credentials")]
    [TestCase("sources: {name: a}\n", "line 1: 'sources' must be a list")]
    [TestCase("agents: []\n", "unknown field 'agents'")]
    [TestCase("- just a list\n", "must be a mapping")]
    public void Parse_Problems_NameTheLineAndField(string yaml, string problem)
    {
        var (_, problems) = StaticFileSource.Parse(yaml);

        Assert.That(problems, Has.Some.Contains(problem));
    }

    [Test]
    public void Parse_EmptyFile_HasNoAgentsAndNoProblems()
    {
        var (agents, problems) = StaticFileSource.Parse(string.Empty);

        Assert.That(agents, Is.Empty);
        Assert.That(problems, Is.Empty);
    }
}
