using System.Text.Json;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Registry;

/// <summary>
/// A protected MCP server in the registry views: its access summary goes in our own <c>io.agentlens/catalog</c>
/// block only (ServerResponse's <c>_meta</c>, the AI Catalog entry's <c>extensions</c>), every response still
/// valid against the pinned spec, and a tool count it does not know is absent, not 0.
/// </summary>
[TestFixture]
public sealed class RegistryAuthorizationTests
{
    private const string List = "/v0.1/servers";

    private static Dictionary<string, JsonElement> Servers(string body) => JsonDocument.Parse(body).RootElement.GetProperty("servers").EnumerateArray()
        .ToDictionary(s => s.GetProperty("server").GetProperty("name").GetString()!, s => s.Clone());

    [Test]
    public async Task AProtectedServer_CarriesItsAuthorizationInOurMeta_AndNoToolCount_TheSpecStillHolds()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(ProtectedEntries.Protect(bed.Mcp("private-docs", cardName: "io.example/private-docs")));
        bed.Feed.Put(bed.Mcp("weather", cardName: "io.example/weather"));

        var body = await bed.UntilAsync(List, b => b.Contains("private-docs", StringComparison.Ordinal) && b.Contains("weather", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        var servers = Servers(body);
        var own = servers["io.example/private-docs"].GetProperty("_meta").GetProperty("io.agentlens/catalog");
        var authorization = own.GetProperty("authorization");
        Assert.That(authorization.GetProperty("required").GetBoolean(), Is.True);
        Assert.That(authorization.GetProperty("authorizationServers")[0].GetString(), Is.EqualTo(ProtectedEntries.Issuer));
        Assert.That(authorization.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(authorization.GetProperty("resourceMetadataUrl").GetString(), Is.EqualTo(ProtectedEntries.MetadataUrl));
        Assert.That(own.TryGetProperty("toolCount", out _), Is.False, "its tools are not known: no count, not 0");
        Assert.That(servers["io.example/private-docs"].GetProperty("server").GetProperty("remotes")[0].TryGetProperty("headers", out _), Is.False,
            "no required header: a client runs the OAuth flow the server's 401 starts");
        var open = servers["io.example/weather"].GetProperty("_meta").GetProperty("io.agentlens/catalog");
        Assert.That(open.TryGetProperty("authorization", out _), Is.False);
        Assert.That(open.GetProperty("toolCount").GetInt32(), Is.EqualTo(1));

        var one = await bed.GetAsync("/v0.1/servers/io.example%2Fprivate-docs/versions/latest");
        RegistrySchema.AssertValid(one.Body, "/v0.1/servers/{serverName}/versions/{version}", 200);
        Assert.That(one.Body, Does.Contain("\"resourceMetadataUrl\""));
    }

    [Test]
    public async Task AServerThatBecomesProtected_IsUpdated()
    {
        await using var bed = await RegistryBed.StartAsync();
        var open = bed.Mcp("private-docs", cardName: "io.example/private-docs");
        bed.Feed.Put(open);
        var before = await bed.UntilAsync(List, b => b.Contains("private-docs", StringComparison.Ordinal));
        bed.Clock.Advance(TimeSpan.FromMinutes(1));

        bed.Feed.Put(ProtectedEntries.Protect(open) with { ResourceVersion = "99" });
        var after = await bed.UntilAsync(List, b => b.Contains("\"authorization\"", StringComparison.Ordinal));

        string Updated(string body) => Servers(body)["io.example/private-docs"].GetProperty("_meta").GetProperty("io.modelcontextprotocol.registry/official").GetProperty("updatedAt").GetString()!;
        Assert.That(Updated(after), Is.GreaterThan(Updated(before)), "what a client sees changed: updatedAt moves, so updated_since finds it");
    }

    [Test]
    public async Task TheAiCatalog_CarriesAuthorizationInOurExtension_ForMcpAndA2a()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(ProtectedEntries.Protect(bed.Mcp("private-docs", cardName: "io.example/private-docs")));
        bed.Feed.Put(ProtectedEntries.Secure(bed.Mcp("planner", protocol: Protocol.A2a, endpoint: "http://planner.team-a.svc.cluster.local:8080")));
        bed.Feed.Put(bed.Mcp("weather", cardName: "io.example/weather"));
        await bed.UntilAsync(List, b => b.Contains("private-docs", StringComparison.Ordinal) && b.Contains("weather", StringComparison.Ordinal));

        var catalog = await bed.GetAsync("/.well-known/ai-catalog.json");

        var entries = JsonDocument.Parse(catalog.Body).RootElement.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("identifier").GetString()!, e => e.GetProperty("extensions").GetProperty("io.agentlens/catalog").Clone());
        var mcp = entries["io.example/private-docs"].GetProperty("authorization");
        Assert.That((mcp.GetProperty("required").GetBoolean(), mcp.GetProperty("summary").GetString()), Is.EqualTo((true, "required (auth.example.test)")));
        var a2a = entries["io.agentlens.cluster/team-a.planner"].GetProperty("authorization");
        Assert.That(a2a.GetProperty("alternatives").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "oauth", "apiKey" }));
        Assert.That(entries["io.example/weather"].TryGetProperty("authorization", out _), Is.False);
    }
}
