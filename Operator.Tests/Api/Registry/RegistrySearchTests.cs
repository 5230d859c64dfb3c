using System.Text.Json;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Registry;

/// <summary>The registry's <c>search</c> with the catalog search index behind it: the spec's substring match, and what the index finds.</summary>
[TestFixture]
public sealed class RegistrySearchTests
{
    private const string List = "/v0.1/servers";

    private static string[] Names(string body) =>
        [.. JsonDocument.Parse(body).RootElement.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("server").GetProperty("name").GetString()!)];

    private static StoredEntry WithTool(StoredEntry item, string tool, string description) =>
        item with { Entry = item.Entry! with { Status = item.Entry.Status with { Capabilities = [new Capability { Kind = CapabilityKinds.McpTool, Name = tool, Description = description }] } } };

    [Test]
    public async Task Search_FindsAServerByItsTools_ThroughTheIndex()
    {
        await using var bed = await RegistryBed.StartAsync(search: true);
        bed.Feed.Put(WithTool(bed.Mcp("weather", cardName: "io.example/weather"), "forecast_lookup", "Daily forecasts for a city"));
        bed.Feed.Put(bed.Mcp("files", cardName: "io.example/files"));

        var body = await bed.UntilAsync(List + "?search=forecasts", b => b.Contains("\"count\":1", StringComparison.Ordinal));

        RegistrySchema.AssertValid(body, List, 200);
        Assert.That(Names(body), Is.EqualTo(new[] { "io.example/weather" }));
    }

    [Test]
    public async Task Search_KeepsTheSpecsSubstringMatch_AndTextTheIndexRefuses_FallsBackToIt()
    {
        await using var bed = await RegistryBed.StartAsync(search: true);
        bed.Feed.Put(bed.Mcp("weather", cardName: "io.example/weather", description: "Reads the sky"));
        bed.Feed.Put(bed.Mcp("files", cardName: "io.example/files"));
        await bed.UntilAsync(List, b => b.Contains("\"count\":2", StringComparison.Ordinal));

        var part = await bed.GetAsync(List + "?search=eathe");
        var stopWords = await bed.GetAsync(List + "?search=the");
        var syntax = await bed.GetAsync(List + "?search=" + Uri.EscapeDataString("/sky/"));

        Assert.That(Names(part.Body), Is.EqualTo(new[] { "io.example/weather" }), "a substring inside a word");
        Assert.That(Names(stopWords.Body), Is.EqualTo(new[] { "io.example/weather" }), "stop words only: the index refuses, the substring matches");
        Assert.That(syntax.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), "Lucene syntax the index refuses is not a 400 here");
        RegistrySchema.AssertValid(stopWords.Body, List, 200);
    }

    [Test]
    public async Task Search_PagesByName_WithTheCursorCarryingTheSearch()
    {
        await using var bed = await RegistryBed.StartAsync(search: true);
        foreach (var name in new[] { "c-one", "a-two", "b-three" })
        {
            bed.Feed.Put(WithTool(bed.Mcp(name, cardName: $"io.example/{name}"), "translate", "Translates text"));
        }

        bed.Feed.Put(bed.Mcp("other", cardName: "io.example/other"));
        var first = await bed.UntilAsync(List + "?search=translates&limit=2", b => b.Contains("\"count\":2", StringComparison.Ordinal));
        var cursor = JsonDocument.Parse(first).RootElement.GetProperty("metadata").GetProperty("nextCursor").GetString();

        var second = await bed.GetAsync(List + "?limit=2&cursor=" + cursor);

        Assert.That(Names(first).Concat(Names(second.Body)), Is.EqualTo(new[] { "io.example/a-two", "io.example/b-three", "io.example/c-one" }));
        Assert.That(JsonDocument.Parse(second.Body).RootElement.GetProperty("metadata").TryGetProperty("nextCursor", out _), Is.False);
    }
}
