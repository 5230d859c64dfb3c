using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>
/// An OAuth-protected MCP server built with the official TypeScript SDK (requireBearerAuth +
/// mcpAuthMetadataRouter, hack/agents/mcp-protected-server.mjs): reachable and protected, not broken.
/// </summary>
[TestFixture]
public sealed class ProtectedServerTests
{
    private const string Token = "tok-7c1d0e52";

    [Test]
    public async Task ProtectedServer_IsAGoodCard_SayingWhoGrantsAccess()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(Token);
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.IntrospectionFailure?.Reason, Is.EqualTo(CrawlFailureReason.AuthorizationRequired));
        Assert.That(fetched.IntrospectionFailure!.Message, Does.Contain("401"));
        Assert.That(fetched.Card.Capabilities, Is.Empty, "its tools are not known without a token");
        var authorization = fetched.Card.Authorization!;
        Assert.That(authorization.Required, Is.True);
        Assert.That(authorization.AuthorizationServers, Is.EqualTo(new[] { "https://auth.example.test/" }));
        Assert.That(authorization.ScopesSupported, Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(authorization.ResourceName, Is.EqualTo("Private docs"));
        Assert.That(authorization.Resource, Is.EqualTo($"{server.BaseUrl}/mcp"));
        Assert.That(authorization.MetadataUrl, Is.EqualTo($"{server.BaseUrl}/.well-known/oauth-protected-resource/mcp"));
        Assert.That(authorization.Error, Is.EqualTo("invalid_token"));
        Assert.That(authorization.CredentialsSent, Is.False);
        Assert.That(authorization.MetadataProblem, Is.Null);
    }

    [Test]
    public async Task ProtectedServer_NamingNoMetadata_IsLookedUpAtTheWellKnownUrlOfItsPath()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(Token, metadata: "none");
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var authorization = (result.Outcome as CardFetched)?.Card.Authorization;
        Assert.That(authorization, Is.Not.Null, result.Outcome.ToString());
        Assert.That(authorization!.MetadataUrl, Is.EqualTo($"{server.BaseUrl}/.well-known/oauth-protected-resource/mcp"));
        Assert.That(authorization.AuthorizationServers, Is.EqualTo(new[] { "https://auth.example.test/" }));
    }

    [Test]
    public async Task MetadataOnAnotherOrigin_IsRecordedAsAUrl_AndNeverRequested()
    {
        await using var elsewhere = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 200, """{"resource":"http://x/","authorization_servers":["https://evil.example/"]}""", ct: ct));
        var named = $"{elsewhere.BaseUrl}/.well-known/oauth-protected-resource/mcp";
        await using var server = await NodeAgent.StartProtectedMcpAsync(Token, metadata: named);
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var authorization = (result.Outcome as CardFetched)?.Card.Authorization;
        Assert.That(authorization, Is.Not.Null, result.Outcome.ToString());
        Assert.That(authorization!.MetadataUrl, Is.EqualTo(named));
        Assert.That(authorization.MetadataProblem, Does.Contain("another origin"));
        Assert.That(authorization.AuthorizationServers, Is.Empty);
        Assert.That(elsewhere.RequestCount, Is.Zero, "metadata on another origin is never fetched");
    }

    [Test]
    public async Task WithTheToken_ItsToolsAreListed_AndNothingSaysAuthorizationIsMissing()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(Token);
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl) with { BearerToken = new BearerToken(Token) });

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.IntrospectionFailure, Is.Null);
        Assert.That(fetched.Card.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "search_private_docs" }));
        Assert.That(fetched.Card.Authorization, Is.Null);
    }

    [Test]
    public async Task TokenWithTooLittleScope_Is403InsufficientScope_StillProtected_AndSaysTheCredentialsWereSent()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(Token, requiredScope: "docs:write");
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl) with { BearerToken = new BearerToken(Token) });

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.IntrospectionFailure!.Message, Does.Contain("403"));
        var authorization = fetched.Card.Authorization!;
        Assert.That(authorization.Error, Is.EqualTo("insufficient_scope"));
        Assert.That(authorization.ScopesRequired, Is.EqualTo(new[] { "docs:write" }));
        Assert.That(authorization.CredentialsSent, Is.True);
        Assert.That(authorization.AuthorizationServers, Is.EqualTo(new[] { "https://auth.example.test/" }));
    }

    [Test]
    public async Task ACredentialsSecretsToken_IsSentToTheCardUrl_ButNotAfterARedirect()
    {
        await using var server = new LoopbackServer((request, stream, ct) => request.Path == "/.well-known/agent-card.json"
            ? LoopbackServer.Respond(stream, 302, string.Empty, ct: ct, headers: ("Location", "/moved.json"))
            : LoopbackServer.Respond(stream, 200, """{"name":"Moved","version":"1"}""", ct: ct));
        using var harness = new CrawlerHarness();

        await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl) with { BearerToken = new BearerToken(Token) });

        Assert.That(server.Requests.Single(r => r.Path == "/.well-known/agent-card.json").Header("Authorization"), Is.EqualTo($"Bearer {Token}"));
        Assert.That(server.Requests.Single(r => r.Path == "/moved.json").Header("Authorization"), Is.Null, "a redirect drops the token");
    }

    [Test]
    public async Task AnAgentNamingASecret_WithoutAReader_FailsWithAClearMessage()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(Token);
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl) with { CredentialsSecret = new SecretReference("team-a", "docs-token") });

        var failed = result.Outcome as CrawlFailed;
        Assert.That(failed?.Failure.Reason, Is.EqualTo(CrawlFailureReason.Configuration), result.Outcome.ToString());
        Assert.That(failed!.Failure.Message, Does.Contain("team-a/docs-token").And.Contain("--crawl-credentials-secrets"));
    }
}
