using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Registry;

/// <summary>The MCP Registry API v0.1 as clients call it, every response checked against the pinned spec.</summary>
[TestFixture]
public sealed class RegistryApiTests
{
    private const string List = "/v0.1/servers";
    private const string Versions = "/v0.1/servers/{serverName}/versions";
    private const string Version = "/v0.1/servers/{serverName}/versions/{version}";
    private static readonly Regex NamePattern = new("^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$");

    private static JsonElement Servers(string body) => JsonDocument.Parse(body).RootElement.GetProperty("servers");

    private static string[] Names(string body) => [.. Servers(body).EnumerateArray().Select(s => s.GetProperty("server").GetProperty("name").GetString()!)];

    private static string? NextCursor(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("metadata").TryGetProperty("nextCursor", out var c) ? c.GetString() : null;

    [Test]
    public async Task List_HasOneServerPerMcpEntry_AsTheSpecSays()
    {
        await using var bed = await RegistryBed.StartAsync(fill: null);
        bed.Feed.Put(bed.Mcp("weather", cardName: "io.example/weather"));
        bed.Feed.Put(bed.Mcp("files"));
        bed.Feed.Put(bed.Mcp("agent", protocol: Protocol.A2a));

        var body = await bed.UntilAsync(List, b => b.Contains("\"count\":2", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        Assert.That(Names(body), Is.EqualTo(new[] { "io.agentlens.cluster/team-a.files", "io.example/weather" }));
        var weather = Servers(body)[1];
        Assert.That(weather.GetProperty("server").GetProperty("$schema").GetString(), Is.EqualTo("https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"));
        Assert.That(weather.GetProperty("server").GetProperty("remotes")[0].GetProperty("url").GetString(), Is.EqualTo("http://weather.team-a.svc.cluster.local:8080/mcp"));
        Assert.That(weather.GetProperty("server").GetProperty("repository").GetProperty("source").GetString(), Is.EqualTo("github"));
        var official = weather.GetProperty("_meta").GetProperty("io.modelcontextprotocol.registry/official");
        Assert.That(official.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "status", "publishedAt", "updatedAt", "isLatest" }));
        Assert.That(official.GetProperty("status").GetString(), Is.EqualTo("active"));
        Assert.That(weather.GetProperty("_meta").GetProperty("io.agentlens/catalog").GetProperty("toolCount").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task VersionsAndOneVersion_MatchTheSpec_AndDegradedIsDeprecated()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(bed.Mcp("weather", cardName: "io.example/weather", version: "2.1.0", lifecycle: Lifecycle.Degraded));
        await bed.UntilAsync(List, b => b.Contains("weather", StringComparison.Ordinal));

        var versions = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/versions");
        var latest = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/versions/latest");
        var exact = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/versions/2.1.0");
        var other = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/versions/9.9.9");

        Assert.That((versions.Status, latest.Status, exact.Status, other.Status), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound)));
        RegistrySchema.AssertValid(versions.Body, Versions, 200);
        RegistrySchema.AssertValid(latest.Body, Version, 200);
        RegistrySchema.AssertValid(other.Body, Version, 404);
        Assert.That(exact.Body, Is.EqualTo(latest.Body));
        Assert.That(JsonDocument.Parse(latest.Body).RootElement.GetProperty("_meta").GetProperty("io.modelcontextprotocol.registry/official").GetProperty("status").GetString(), Is.EqualTo("deprecated"));
    }

    [Test]
    public async Task UnknownNames_Are404_AndWritesAre501_WithTheSpecsErrorBody()
    {
        await using var bed = await RegistryBed.StartAsync();

        var versions = await bed.GetAsync("/v0.1/servers/io.example%2Fnothing/versions");
        var latest = await bed.GetAsync("/v0.1/servers/io.example%2Fnothing/versions/latest");
        var put = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/versions/1.0.0", method: HttpMethod.Put);
        var delete = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/versions/1.0.0", method: HttpMethod.Delete);
        var publish = await bed.GetAsync("/v0.1/publish", method: HttpMethod.Post);
        var status = await bed.GetAsync("/v0.1/servers/io.example%2Fweather/status", method: HttpMethod.Patch);

        Assert.That(new[] { versions.Status, latest.Status }, Is.All.EqualTo(HttpStatusCode.NotFound));
        Assert.That(new[] { put.Status, delete.Status, publish.Status, status.Status }, Is.All.EqualTo(HttpStatusCode.NotImplemented));
        RegistrySchema.AssertValid(versions.Body, Versions, 404);
        RegistrySchema.AssertValid(latest.Body, Version, 404);
        RegistrySchema.AssertValid(put.Body, Version, 501, "put");
        RegistrySchema.AssertValid(delete.Body, Version, 501, "delete");
        RegistrySchema.AssertValid(publish.Body, "/v0.1/publish", 501, "post");
        foreach (var body in new[] { versions.Body, latest.Body, put.Body, publish.Body, status.Body })
        {
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), Is.Not.Empty);
        }
    }

    [Test]
    public async Task LongDescriptions_AreCutAtAWordBoundary()
    {
        await using var bed = await RegistryBed.StartAsync();
        var words = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}"));
        bed.Feed.Put(bed.Mcp("wordy", description: words));
        bed.Feed.Put(bed.Mcp("blank", description: "   "));

        var body = await bed.UntilAsync(List, b => b.Contains("\"count\":2", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        var descriptions = Servers(body).EnumerateArray().Select(s => s.GetProperty("server").GetProperty("description").GetString()!).ToList();
        var cut = descriptions.Single(d => d.StartsWith("word0", StringComparison.Ordinal));
        Assert.That(cut, Has.Length.LessThanOrEqualTo(100).And.EndsWith("…"));
        Assert.That(words, Does.StartWith(cut.TrimEnd('…') + " "), "cut between two words");
        Assert.That(descriptions, Has.Some.EqualTo("MCP server blank server"));
    }

    [Test]
    public async Task CardNamesThatBreakThePatternOrAreClaimedTwice_GetDerivedNames()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(bed.Mcp("bang", cardName: "My Server!"));
        bed.Feed.Put(bed.Mcp("slashes", cardName: "a/b/c"));
        bed.Feed.Put(bed.Mcp("dup-1", cardName: "io.example/dup"));
        bed.Feed.Put(bed.Mcp("dup-2", ns: "team-b", cardName: "io.example/dup"));
        bed.Feed.Put(bed.Mcp("ours", cardName: "io.agentlens.cluster/team-z.fake"));
        bed.Feed.Put(bed.Mcp("good", cardName: "io.example/good", version: ""));
        bed.Feed.Put(bed.Mcp(new string('l', 63), ns: new string('n', 63) + "x" + new string('n', 100)));

        var body = await bed.UntilAsync(List, b => b.Contains("\"count\":7", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        Assert.That(Names(body), Is.All.Matches(NamePattern).And.All.Length.InRange(3, 200));
        Assert.That(Names(body), Does.Contain("io.example/good").And.Contain("io.agentlens.cluster/team-a.bang").And.Contain("io.agentlens.cluster/team-a.dup-1")
            .And.Contain("io.agentlens.cluster/team-b.dup-2").And.Contain("io.agentlens.cluster/team-a.ours").And.No.Contain("io.example/dup"));
        Assert.That(Names(body), Is.Unique);
        var good = Servers(body).EnumerateArray().Single(s => s.GetProperty("server").GetProperty("name").GetString() == "io.example/good");
        Assert.That(good.GetProperty("server").GetProperty("version").GetString(), Is.EqualTo("0.0.0"));
    }

    private static StoredEntry WithStatus(StoredEntry item, Func<AgentStatus, AgentStatus> change) =>
        item with { Entry = item.Entry! with { Status = change(item.Entry.Status) } };

    [Test]
    public async Task ACardWithATitle_IsNamedByItsOwnName_AndTitledByItsTitle()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(WithStatus(bed.Mcp("weather", cardName: "Weather Tools"), s => s with { RegistryName = "io.example/weather" }));
        bed.Feed.Put(WithStatus(bed.Mcp("files", cardName: "io.example/looks-like-a-name"), s => s with { RegistryName = "files" }));

        var body = await bed.UntilAsync(List, b => b.Contains("\"count\":2", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        Assert.That(Names(body), Is.EqualTo(new[] { "io.agentlens.cluster/team-a.files", "io.example/weather" }));
        Assert.That(Servers(body)[1].GetProperty("server").GetProperty("title").GetString(), Is.EqualTo("Weather Tools"));
    }

    [Test]
    public async Task TheCardsIconsAndWebsite_AreServed_InTheSpecsShape()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(WithStatus(bed.Mcp("weather", cardName: "io.example/weather"), s => s with
        {
            WebsiteUrl = "https://weather.example.com/docs",
            Icons = [new Icon("https://weather.example.com/icon.svg", "image/svg+xml", "dark"), new Icon("https://weather.example.com/icon.gif", "image/gif", "sepia"),
                new Icon("javascript:alert(1)", null, null)],
        }));
        bed.Feed.Put(bed.Mcp("plain", cardName: "io.example/plain"));

        var body = await bed.UntilAsync(List, b => b.Contains("\"count\":2", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        var (plain, weather) = (Servers(body)[0].GetProperty("server"), Servers(body)[1].GetProperty("server"));
        Assert.That(weather.GetProperty("websiteUrl").GetString(), Is.EqualTo("https://weather.example.com/docs"));
        Assert.That(weather.GetProperty("icons").GetRawText(), Is.EqualTo(
            """[{"src":"https://weather.example.com/icon.svg","mimeType":"image/svg+xml","theme":"dark"},{"src":"https://weather.example.com/icon.gif"}]"""));
        Assert.That(plain.TryGetProperty("icons", out _) || plain.TryGetProperty("websiteUrl", out _), Is.False);
    }

    [Test]
    public async Task AnIde_ProbesListsPagesAndFetchesLatest()
    {
        await using var bed = await RegistryBed.StartAsync();
        for (var i = 0; i < 60; i++)
        {
            bed.Feed.Put(bed.Mcp($"srv-{i:D2}", cardName: $"io.example/srv-{i:D2}", description: i % 2 == 0 ? "even alpha tools" : "odd tools"));
        }

        await bed.UntilAsync("/v0.1/servers?limit=100", b => b.Contains("\"count\":60", StringComparison.Ordinal));

        var probe = await bed.GetAsync("/v0.1/servers?limit=1");
        var first = await bed.GetAsync("/v0.1/servers?limit=50&version=latest");
        var cursor = NextCursor(first.Body)!;
        var second = await bed.GetAsync("/v0.1/servers?limit=50&cursor=" + cursor);
        var searched = await bed.GetAsync("/v0.1/servers?search=alpha&limit=20");
        var searchedNext = await bed.GetAsync("/v0.1/servers?limit=20&cursor=" + NextCursor(searched.Body));
        var latest = await bed.GetAsync("/v0.1/servers/io.example%2Fsrv-07/versions/latest");
        var unknown = await bed.GetAsync("/v0.1/servers/io.example%2Fnope/versions/latest");

        foreach (var page in new[] { probe, first, second, searched, searchedNext })
        {
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK));
            RegistrySchema.AssertValid(page.Body, List, 200);
        }

        Assert.That(Names(probe.Body), Has.Length.EqualTo(1));
        Assert.That(NextCursor(probe.Body), Is.Not.Null);
        Assert.That(cursor, Does.Match("^[A-Za-z0-9_-]+$"), "URL-safe as it is");
        Assert.That(Names(first.Body).Concat(Names(second.Body)), Is.EqualTo(Enumerable.Range(0, 60).Select(i => $"io.example/srv-{i:D2}")));
        Assert.That(NextCursor(second.Body), Is.Null);
        Assert.That(Names(searched.Body).Concat(Names(searchedNext.Body)), Is.EqualTo(Enumerable.Range(0, 30).Select(i => $"io.example/srv-{i * 2:D2}")),
            "the cursor carries the search the client dropped");
        Assert.That(latest.Status, Is.EqualTo(HttpStatusCode.OK));
        RegistrySchema.AssertValid(latest.Body, Version, 200);
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
        RegistrySchema.AssertValid(unknown.Body, Version, 404);
    }

    [Test]
    public async Task UpdatedSince_ReturnsExactlyWhatChanged_WithTheGoneAsDeleted()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(bed.Mcp("stays", cardName: "io.example/stays"));
        bed.Feed.Put(bed.Mcp("fades", cardName: "io.example/fades"));
        bed.Feed.Put(bed.Mcp("removed", cardName: "io.example/removed"));
        var before = await bed.UntilAsync(List, b => b.Contains("\"count\":3", StringComparison.Ordinal));
        var since = Servers(before).EnumerateArray().Max(s => s.GetProperty("_meta").GetProperty("io.modelcontextprotocol.registry/official").GetProperty("updatedAt").GetString())!;

        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        bed.Feed.Put(bed.Mcp("fades", cardName: "io.example/fades", lifecycle: Lifecycle.Offline));
        bed.Feed.Put(bed.Mcp("appears", cardName: "io.example/appears"));
        var pulled = await bed.UntilAsync($"/v0.1/servers?updated_since={since}", b => b.Contains("\"count\":2", StringComparison.Ordinal));

        RegistrySchema.AssertValid(pulled, List, 200);
        var statuses = Servers(pulled).EnumerateArray().ToDictionary(s => s.GetProperty("server").GetProperty("name").GetString()!,
            s => s.GetProperty("_meta").GetProperty("io.modelcontextprotocol.registry/official").GetProperty("status").GetString());
        Assert.That(statuses, Is.EqualTo(new Dictionary<string, string?> { ["io.example/appears"] = "active", ["io.example/fades"] = "deleted" }));

        // A removed entry is a tombstone: in a sync and with include_deleted, never in the default list.
        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = Servers(pulled).EnumerateArray().Max(s => s.GetProperty("_meta").GetProperty("io.modelcontextprotocol.registry/official").GetProperty("updatedAt").GetString())!;
        bed.Feed.Remove("removed");
        var gone = await bed.UntilAsync($"/v0.1/servers?updated_since={second}", b => b.Contains("removed", StringComparison.Ordinal));
        var listed = await bed.GetAsync(List);
        var withDeleted = await bed.GetAsync(List + "?include_deleted=true");

        RegistrySchema.AssertValid(gone, List, 200);
        Assert.That(Names(gone), Is.EqualTo(new[] { "io.example/removed" }));
        Assert.That(gone, Does.Contain("\"status\":\"deleted\""));
        Assert.That(Names(listed.Body), Is.EqualTo(new[] { "io.example/appears", "io.example/stays" }));
        Assert.That(Names(withDeleted.Body), Is.EqualTo(new[] { "io.example/appears", "io.example/fades", "io.example/removed", "io.example/stays" }));
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=101", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("cursor=not-ours", "cursor")]
    [TestCase("updated_since=yesterday", "updated_since")]
    [TestCase("include_deleted=maybe", "include_deleted")]
    public async Task BadQueryValues_Are400_NamingTheParameter(string query, string parameter)
    {
        await using var bed = await RegistryBed.StartAsync();

        var (status, body, _) = await bed.GetAsync($"{List}?{query}");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), Does.StartWith(parameter));
    }

    [Test]
    public async Task EveryRoute_AllowsAnyOrigin_AndAPreflightIs204()
    {
        await using var bed = await RegistryBed.StartAsync();

        var preflight = await bed.GetAsync("/v0.1/servers/io.example%2Fx/versions/latest", method: HttpMethod.Options);
        var list = await bed.GetAsync(List);
        var missing = await bed.GetAsync("/v0.1/elsewhere");

        Assert.That(preflight.Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(preflight.Response.Headers.GetValues("Access-Control-Allow-Methods").Single(), Is.EqualTo("GET, OPTIONS"));
        Assert.That(preflight.Response.Headers.GetValues("Access-Control-Allow-Headers").Single(), Is.EqualTo("Authorization, Content-Type"));
        foreach (var response in new[] { preflight, list, missing })
        {
            Assert.That(response.Response.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("*"));
        }

        Assert.That(missing.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public void ThePinnedSchema_RefusesWhatTheSpecForbids()
    {
        const string Good = """{"server":{"name":"io.example/a","description":"d","version":"1"},"_meta":{"io.modelcontextprotocol.registry/official":{"status":"active","isLatest":true}}}""";
        var longDescription = Good.Replace("\"d\"", "\"" + new string('d', 101) + "\"", StringComparison.Ordinal);
        var badName = Good.Replace("io.example/a", "a/b/c", StringComparison.Ordinal);
        var extraOfficial = Good.Replace("\"isLatest\":true", "\"isLatest\":true,\"namespace\":\"x\"", StringComparison.Ordinal);
        var badTime = Good.Replace("\"isLatest\":true", "\"isLatest\":true,\"updatedAt\":\"yesterday\"", StringComparison.Ordinal);

        Assert.That(RegistrySchema.Problems(Good, Version, 200), Is.Null);
        Assert.That(new[] { longDescription, badName, extraOfficial, badTime }.Select(j => RegistrySchema.Problems(j, Version, 200)), Is.All.Not.Null);
    }

    [Test]
    public async Task TheAiCatalogAndArd_ListA2aAndMcpEntries_AsTheSameBytes()
    {
        await using var bed = await RegistryBed.StartAsync();
        bed.Feed.Put(bed.Mcp("weather", cardName: "io.example/weather"));
        bed.Feed.Put(bed.Mcp("planner", protocol: Protocol.A2a, endpoint: "http://planner.team-a.svc.cluster.local:8080"));
        bed.Feed.Put(bed.Mcp("old", cardName: "io.example/old", lifecycle: Lifecycle.Offline));
        await bed.UntilAsync(List, b => b.Contains("weather", StringComparison.Ordinal));

        var catalog = await bed.GetAsync("/.well-known/ai-catalog.json");
        var ard = await bed.GetAsync("/.well-known/ard.json");

        Assert.That(catalog.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(catalog.Response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/ai-catalog+json"));
        Assert.That(ard.Body, Is.EqualTo(catalog.Body));
        Assert.That(catalog.Body, Does.Contain("\"application/a2a-agent-card+json\""), "media types written as they read, not \\u002B-escaped");
        var root = JsonDocument.Parse(catalog.Body).RootElement;
        Assert.That(root.GetProperty("specVersion").GetString(), Is.EqualTo("0.9"));
        Assert.That(root.GetProperty("host").GetProperty("displayName").GetString(), Is.Not.Empty);
        var entries = root.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("identifier").GetString()!);
        Assert.That(entries.Keys, Is.EquivalentTo(new[] { "io.example/weather", "io.agentlens.cluster/team-a.planner" }), "Offline entries left out, no urn:air minted");
        Assert.That(entries["io.example/weather"].GetProperty("type").GetString(), Is.EqualTo("application/mcp-server-card+json"));
        Assert.That(entries["io.example/weather"].GetProperty("data").GetProperty("remotes")[0].GetProperty("url").GetString(), Does.EndWith("/mcp"));
        Assert.That(entries["io.agentlens.cluster/team-a.planner"].GetProperty("type").GetString(), Is.EqualTo("application/a2a-agent-card+json"));
        Assert.That(entries["io.agentlens.cluster/team-a.planner"].GetProperty("url").GetString(), Is.EqualTo("http://planner.team-a.svc.cluster.local:8080/.well-known/agent-card.json"));
        Assert.That(entries["io.agentlens.cluster/team-a.planner"].GetProperty("extensions").GetProperty("io.agentlens/catalog").GetProperty("namespace").GetString(), Is.EqualTo("team-a"));
        Assert.That(entries.Values.All(e => e.TryGetProperty("updatedAt", out _) && e.TryGetProperty("tags", out _)), Is.True);
    }
}
