using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

[TestFixture]
public sealed class CrawlerTests
{
    private CrawlerHarness harness = null!;

    [SetUp]
    public void SetUp() => harness = new CrawlerHarness();

    [TearDown]
    public void TearDown() => harness.Dispose();

    [Test]
    public async Task Crawl_RealA2aSdkAgent_ExposesItsExactSkills()
    {
        await using var agent = await NodeAgent.StartA2aAsync();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, agent.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.DisplayName, Is.EqualTo("Weather Agent"));
        Assert.That(fetched.Card.ProtocolVersion, Is.EqualTo("1.0"));
        Assert.That(fetched.Card.Capabilities.Where(c => c.Kind == CapabilityKinds.A2aSkill).Select(c => c.Name), Is.EqualTo(new[] { "forecast", "alerts" }));
        Assert.That(fetched.Card.Capabilities.Single(c => c.Kind == CapabilityKinds.A2aSecurityScheme).Properties["type"], Is.EqualTo("http"));
        Assert.That(fetched.ETag, Does.StartWith("W/"));
        Assert.That(fetched.Digest, Does.StartWith("sha256:"));
    }

    [Test]
    public async Task Crawl_RealA2aSdkAgentWithItsETag_IsUnchanged()
    {
        await using var agent = await NodeAgent.StartA2aAsync();
        var first = (CardFetched)(await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, agent.BaseUrl))).Outcome;

        var second = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, agent.BaseUrl), first.ETag);

        Assert.That(second.Outcome, Is.InstanceOf<CardUnchanged>());
    }

    [Test]
    public async Task Crawl_RealMcpServerWithoutCard_IntrospectsItsExactTools()
    {
        await using var server = await NodeAgent.StartMcpAsync();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.DisplayName, Is.EqualTo("docs-mcp"));
        Assert.That(fetched.Card.Version, Is.EqualTo("0.4.1"));
        Assert.That(fetched.Card.Capabilities.Select(c => $"{c.Kind}:{c.Name}"), Is.EqualTo(new[]
        {
            "mcp.tool:search_docs", "mcp.tool:get_page", "mcp.resource:changelog", "mcp.prompt:summarize",
        }));
        Assert.That(fetched.CardUrl, Is.EqualTo(server.BaseUrl + "/mcp"));
        Assert.That(fetched.Card.ProtocolVersion, Is.EqualTo("2025-11-25"), "the TypeScript SDK stops at 2025-11-25: the client falls back to initialize");
    }

    [Test]
    public async Task Crawl_RealCSharpSdkMcpServer_SpeakingOnly20260728_IsIntrospectedThroughServerDiscover()
    {
        await using var server = await NodeAgent.StartDotnetMcpAsync();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.DisplayName, Is.EqualTo("tickets-mcp"));
        Assert.That(fetched.Card.Version, Is.EqualTo("3.1.0"));
        Assert.That(fetched.Card.ProtocolVersion, Is.EqualTo("2026-07-28"));
        Assert.That(fetched.Card.Capabilities.Select(c => $"{c.Kind}:{c.Name}"), Is.EquivalentTo(new[] { "mcp.tool:find_ticket", "mcp.tool:close_ticket" }));
        Assert.That(fetched.Card.Capabilities.Single(c => c.Name == "find_ticket").Description, Is.EqualTo("Finds a ticket by its id"));
    }

    [Test]
    public async Task Crawl_RealMcpServerTwice_GivesTheSameDigest()
    {
        await using var server = await NodeAgent.StartMcpAsync();
        var agent = CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl);

        var first = (CardFetched)(await harness.CrawlAsync(agent)).Outcome;
        var second = (CardFetched)(await harness.CrawlAsync(agent)).Outcome;

        Assert.That(second.Digest, Is.EqualTo(first.Digest));
    }

    [Test]
    public async Task Crawl_DefaultPath404_FallsBackToLegacyAgentJson()
    {
        await using var server = new LoopbackServer((request, stream, ct) => request.Path == "/.well-known/agent.json"
            ? LoopbackServer.Respond(stream, 200, """{"name":"Legacy","url":"http://legacy/a2a"}""", ct: ct)
            : LoopbackServer.Respond(stream, 404, "{}", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl));

        Assert.That(result.Outcome, Is.InstanceOf<CardFetched>());
        Assert.That(((CardFetched)result.Outcome).CardUrl, Is.EqualTo(server.BaseUrl + "/.well-known/agent.json"));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/.well-known/agent-card.json", "/.well-known/agent.json" }));
    }

    [Test]
    public async Task Crawl_ExplicitCardPath404_DoesNotFallBack()
    {
        await using var server = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 404, "{}", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl, cardPath: "/cards/me.json"));

        Assert.That(((CrawlFailed)result.Outcome).Failure.Reason, Is.EqualTo(CrawlFailureReason.HttpStatus));
        Assert.That(server.RequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Crawl_McpCardWithTools_IsUsedWithoutIntrospection()
    {
        var card = System.Text.Encoding.UTF8.GetString(Fixtures.Card("mcp-server-card-draft.json"));
        await using var server = new LoopbackServer((request, stream, ct) => request.Path == "/.well-known/mcp/server-card.json"
            ? LoopbackServer.Respond(stream, 200, card, ct: ct)
            : LoopbackServer.Respond(stream, 404, "{}", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        Assert.That(((CardFetched)result.Outcome).Card.DisplayName, Is.EqualTo("Enterprise Search"));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/mcp/server-card", "/.well-known/ai-catalog.json", "/.well-known/ard.json", "/.well-known/mcp/server-card.json" }));
    }

    [Test]
    public async Task Crawl_McpServerCardFoundThroughTheDomainsAiCatalog_IsUsed()
    {
        var card = System.Text.Encoding.UTF8.GetString(Fixtures.Card("mcp-server-card-draft.json"));
        LoopbackServer? server = null;
        server = new LoopbackServer((request, stream, ct) => request.Path switch
        {
            "/.well-known/ai-catalog.json" => LoopbackServer.Respond(stream, 200, $$"""
                {"specVersion":"1.0","entries":[
                  {"identifier":"urn:air:elsewhere:mcp:x","type":"application/mcp-server-card+json","url":"http://192.0.2.1/x/server-card"},
                  {"identifier":"urn:air:local:mcp:search","type":"application/mcp-server-card+json","url":"{{server!.BaseUrl}}/cards/search.json"}]}
                """, "application/ai-catalog+json", ct),
            "/cards/search.json" => LoopbackServer.Respond(stream, 200, card, "application/mcp-server-card+json", ct),
            _ => LoopbackServer.Respond(stream, 404, "{}", ct: ct),
        });
        await using var _ = server;

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = (CardFetched)result.Outcome;
        Assert.That(fetched.Card.DisplayName, Is.EqualTo("Enterprise Search"));
        Assert.That(fetched.CardUrl, Does.EndWith("/cards/search.json"));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/mcp/server-card", "/.well-known/ai-catalog.json", "/cards/search.json" }),
            "the entry on another host is never fetched");
        Assert.That(server.Requests.Last().Header("Accept"), Does.Contain("application/mcp-server-card+json"));
    }

    [Test]
    public async Task Crawl_McpServerCardFoundThroughArd_WhereTheDomainHasNoAiCatalog()
    {
        var card = System.Text.Encoding.UTF8.GetString(Fixtures.Card("mcp-server-card-draft.json"));
        LoopbackServer? server = null;
        server = new LoopbackServer((request, stream, ct) => request.Path switch
        {
            // An older draft's entry: `mediaType` where v0.9 says `type`.
            "/.well-known/ard.json" => LoopbackServer.Respond(stream, 200, $$"""
                {"specVersion":"0.8","entries":[
                  {"identifier":"search","mediaType":"application/mcp-server-card+json","url":"{{server!.BaseUrl}}/cards/search.json"}]}
                """, "application/ai-catalog+json", ct),
            "/cards/search.json" => LoopbackServer.Respond(stream, 200, card, "application/mcp-server-card+json", ct),
            _ => LoopbackServer.Respond(stream, 404, "{}", ct: ct),
        });
        await using var _ = server;

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        Assert.That(((CardFetched)result.Outcome).Card.DisplayName, Is.EqualTo("Enterprise Search"));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/mcp/server-card", "/.well-known/ai-catalog.json", "/.well-known/ard.json", "/cards/search.json" }));
    }

    [Test]
    public async Task Crawl_AnAiCatalogListingOthers_IsTheDomainsAnswer_ArdIsNotAsked()
    {
        await using var server = new LoopbackServer((request, stream, ct) => request.Path switch
        {
            "/.well-known/ai-catalog.json" => LoopbackServer.Respond(stream, 200, """{"specVersion":"0.9","entries":[]}""", "application/ai-catalog+json", ct),
            "/.well-known/ard.json" => LoopbackServer.Respond(stream, 500, "{}", ct: ct),
            _ => LoopbackServer.Respond(stream, 404, "{}", ct: ct),
        });

        await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        Assert.That(server.Requests.Select(r => r.Path), Does.Contain("/.well-known/ai-catalog.json").And.No.Contain("/.well-known/ard.json"));
    }

    [Test]
    public async Task Crawl_McpServerCardNextToTheEndpoint_IsFoundFirst()
    {
        var card = System.Text.Encoding.UTF8.GetString(Fixtures.Card("mcp-server-card-draft.json"));
        await using var server = new LoopbackServer((request, stream, ct) => request.Path == "/mcp/server-card"
            ? LoopbackServer.Respond(stream, 200, card, "application/mcp-server-card+json", ct)
            : LoopbackServer.Respond(stream, 404, "{}", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = (CardFetched)result.Outcome;
        Assert.That(fetched.Card.DisplayName, Is.EqualTo("Enterprise Search"));
        Assert.That(fetched.CardUrl, Does.EndWith("/mcp/server-card"));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/mcp/server-card" }));
    }

    [Test]
    public async Task Crawl_SendsConfiguredHeadersAndBearerToken()
    {
        var tokenDirectory = Directory.CreateTempSubdirectory("agentlens-tokens-").FullName;
        var tokenFile = Path.Combine(tokenDirectory, "token");
        await File.WriteAllTextAsync(tokenFile, "s3cret\n");
        using var withTokens = new CrawlerHarness(c => c.TokenDirectories = [tokenDirectory]);
        try
        {
            await using var server = LoopbackServer.Json("""{"name":"x"}""");
            var agent = CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl) with
            {
                Headers = ImmutableDictionary<string, string>.Empty.Add("X-Client", "agentlens"),
                BearerTokenFile = tokenFile,
            };

            await withTokens.CrawlAsync(agent);

            var request = server.Requests.Single();
            Assert.That(request.Header("Authorization"), Is.EqualTo("Bearer s3cret"));
            Assert.That(request.Header("X-Client"), Is.EqualTo("agentlens"));
            Assert.That(request.Header("Accept"), Is.EqualTo("application/json"));
        }
        finally
        {
            Directory.Delete(tokenDirectory, recursive: true);
        }
    }

    [Test]
    public async Task Crawl_SameHostRedirect_IsFollowed()
    {
        await using var server = new LoopbackServer((request, stream, ct) => request.Path == "/moved.json"
            ? LoopbackServer.Respond(stream, 200, """{"name":"Moved"}""", ct: ct)
            : LoopbackServer.Respond(stream, 302, string.Empty, ct: ct, headers: ("Location", "/moved.json")));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl));

        Assert.That(((CardFetched)result.Outcome).Card.DisplayName, Is.EqualTo("Moved"));
    }

    [Test]
    public async Task CrawlAsync_ManyAgents_ReturnsOneResultEach()
    {
        await using var good = LoopbackServer.Json("""{"name":"ok"}""");
        await using var bad = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 500, "{}", ct: ct));
        var requests = Enumerable.Range(0, 20)
            .Select(i => new CrawlRequest(CrawlerHarness.Agent(Protocol.A2a, (i % 2 == 0 ? good : bad).BaseUrl, cardPath: $"/card-{i}.json")))
            .ToList();

        var results = await harness.Crawler.CrawlAsync(requests, CancellationToken.None);

        Assert.That(results, Has.Count.EqualTo(20));
        Assert.That(results.Count(r => r.Outcome is CardFetched), Is.EqualTo(10));
        Assert.That(results.Count(r => r.Outcome is CrawlFailed { Failure.Reason: CrawlFailureReason.HttpStatus }), Is.EqualTo(10));
    }

    [Test]
    public async Task Crawl_WithLastModified_SendsIfModifiedSince_And304IsUnchanged()
    {
        const string Stamp = "Mon, 23 Nov 2026 08:00:00 GMT";
        await using var server = new LoopbackServer((request, stream, ct) => request.Header("If-Modified-Since") == Stamp
            ? LoopbackServer.Respond(stream, 304, string.Empty, ct: ct)
            : LoopbackServer.Respond(stream, 200, """{"name":"x"}""", ct: ct, headers: ("Last-Modified", Stamp)));
        var agent = CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl, cardPath: "/card.json");

        var first = (CardFetched)(await harness.CrawlAsync(agent)).Outcome;
        var second = await harness.Crawler.CrawlOneAsync(new CrawlRequest(agent, null, first.LastModified), CancellationToken.None);

        Assert.That(first.LastModified, Is.EqualTo(Stamp));
        Assert.That(second.Outcome, Is.InstanceOf<CardUnchanged>());
    }
}
