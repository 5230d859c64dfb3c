using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>What introspection learns about keeping a server's lists fresh (ttlMs, listChanged) and its skills (SEP-2640).</summary>
[TestFixture]
public sealed class McpListHintsTests
{
    private const string OneTool = "\"tools\":[{\"name\":\"echo\",\"inputSchema\":{\"type\":\"object\"}}]";

    [Test]
    public async Task TheShortestTtlOfTheLists_AndListChanged_AreKept()
    {
        await using var mcp = new ListingMcp("""{"tools":{"listChanged":true},"prompts":{}}""");
        mcp.Answer("tools/list", "{" + OneTool + ""","ttlMs":60000,"cacheScope":"public"}""");
        mcp.Answer("prompts/list", """{"prompts":[{"name":"greet"}],"ttlMs":5000,"cacheScope":"private"}""");
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.McpLists, Is.Not.Null);
        Assert.That(fetched.McpLists!.Ttl, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(fetched.McpLists.ListChanged, Is.True);
        Assert.That(fetched.McpLists.Listen, Is.False, "2025-11-25 has no subscriptions/listen");
        Assert.That(fetched.Card.Capabilities.Select(c => c.Source), Is.All.EqualTo(CapabilitySources.Introspection));
    }

    [TestCase("\"soon\"")]
    [TestCase("-5")]
    [TestCase("0")]
    [TestCase("null")]
    [TestCase("{\"ms\":5}")]
    [TestCase("1e300")]
    [TestCase("99999999999999999999999")]
    public async Task TtlGarbage_NeverCostsTheToolList(string ttl)
    {
        await using var mcp = new ListingMcp();
        mcp.Answer("tools/list", "{" + OneTool + ",\"ttlMs\":" + ttl + "}");
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "echo" }));
        Assert.That(fetched.McpLists!.Ttl is null || fetched.McpLists.Ttl > TimeSpan.Zero, Is.True, "a TTL that is not a positive number says nothing");
        Assert.That(fetched.McpLists.ListChanged, Is.False);
    }

    [Test]
    public async Task ServerDeclaringTheSkillsExtension_ListsItsSkills_AsMcpSkills()
    {
        await using var mcp = new ListingMcp("""{"tools":{},"resources":{},"extensions":{"io.modelcontextprotocol/skills":{}}}""");
        mcp.Answer("tools/list", "{" + OneTool + "}");
        mcp.Answer("resources/list", """{"resources":[]}""");
        mcp.Answer("skills/list", """
            {"resultType":"complete","ttlMs":300000,"cacheScope":"public","nextCursor":"p2","skills":[
              {"uri":"skill://git-workflow/SKILL.md","frontmatter":{"name":"git-workflow","description":"Follow the team's Git conventions"},
               "resources":[{"uri":"skill://git-workflow/SKILL.md","digest":"sha256:aa","size":10}]},
              {"uri":"skill://acme/billing/refunds/SKILL.md","frontmatter":{"description":"no name: taken from the URI"},"resources":"dynamic"},
              {"uri":42,"frontmatter":"not an object"},
              "not an entry",
              {"frontmatter":{"name":"   "}}
            ]}
            """);
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        var skills = fetched!.Card.Capabilities.Where(c => c.Kind == CapabilityKinds.McpSkill).ToList();
        Assert.That(skills.Select(s => s.Name), Is.EqualTo(new[] { "git-workflow", "refunds" }));
        Assert.That(skills[0].Description, Is.EqualTo("Follow the team's Git conventions"));
        Assert.That(skills[0].Properties["uri"], Is.EqualTo("skill://git-workflow/SKILL.md"));
        Assert.That(skills[1].Properties["files"], Is.EqualTo("dynamic"));
        Assert.That(skills.Select(s => s.Digest), Is.All.StartWith("sha256:"));
        Assert.That(fetched.Card.Capabilities.Any(c => c is { Kind: CapabilityKinds.McpTool, Name: "echo" }), Is.True);
        Assert.That(mcp.Calls("skills/list"), Is.EqualTo(2), "the cursor is followed (the second page repeats it, which ends the listing)");
    }

    [TestCase("\"not an object\"")]
    [TestCase("{\"skills\":\"many\"}")]
    [TestCase("{\"skills\":[null,1,[]]}")]
    [TestCase(null)]
    public async Task SkillsListGarbage_KeepsTheTools(string? reply)
    {
        await using var mcp = new ListingMcp("""{"tools":{},"extensions":{"io.modelcontextprotocol/skills":{}}}""");
        mcp.Answer("tools/list", "{" + OneTool + "}");
        mcp.Answer("skills/list", reply);
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "echo" }));
        Assert.That(mcp.Calls("skills/list"), Is.EqualTo(1));
    }

    [Test]
    public async Task ServerWithoutTheSkillsExtension_IsNeverAskedForSkills()
    {
        await using var mcp = new ListingMcp();
        mcp.Answer("tools/list", "{" + OneTool + "}");
        mcp.Answer("skills/list", """{"skills":[{"uri":"skill://x/SKILL.md","frontmatter":{"name":"x","description":"d"},"resources":"dynamic"}]}""");
        using var harness = new CrawlerHarness();

        await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, mcp.BaseUrl));

        Assert.That(mcp.Calls("skills/list"), Is.Zero);
    }

    [Test]
    public async Task AnAiCatalogsSkillArchives_AreRecordedWithTheirUrl_NeverDownloaded()
    {
        LoopbackServer? server = null;
        server = new LoopbackServer((request, stream, ct) => request.Path switch
        {
            "/.well-known/ai-catalog.json" => LoopbackServer.Respond(stream, 200, $$$"""
                {"entries":[
                  {"type":"application/mcp-server-card+json","data":{"name":"io.example/tools","tools":[{"name":"t","inputSchema":{"type":"object"}}]}},
                  {"type":"application/agent-skills+zip","name":"git-workflow","description":"Git conventions","url":"{{{server!.BaseUrl}}}/skills/git.zip"},
                  {"mediaType":"application/agent-skills+zip","url":"{{{server!.BaseUrl}}}/skills/refunds.zip"},
                  {"type":"application/agent-skills+zip","name":"no-url"},
                  {"type":"application/agent-skills+zip","name":"ftp","url":"ftp://example.com/x.zip"}
                ]}
                """, ct: ct),
            _ => LoopbackServer.Respond(stream, 404, "{}", ct: ct),
        });
        await using var _ = server;
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        var skills = fetched!.Card.Capabilities.Where(c => c.Kind == CapabilityKinds.McpSkill).ToList();
        Assert.That(skills.Select(c => c.Name), Is.EqualTo(new[] { "git-workflow", "refunds" }));
        Assert.That(skills[0].Properties["url"], Is.EqualTo(server.BaseUrl + "/skills/git.zip"));
        Assert.That(skills.Select(c => c.Source), Is.All.EqualTo(CapabilitySources.Card));
        Assert.That(server.Requests.Any(r => r.Path.EndsWith(".zip", StringComparison.Ordinal)), Is.False, "an archive is never fetched");
    }
}
