using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Cards;

[TestFixture]
public sealed class McpCardParserTests
{
    private readonly McpCardParser parser = new();

    [Test]
    public void Parse_RegistryServerJson_ReadsIdentityWithoutCapabilities()
    {
        var card = parser.Parse(Fixtures.Card("mcp-registry-server.json"));

        Assert.That(card.DisplayName, Is.EqualTo("io.github.example/weather-mcp"));
        Assert.That(card.Version, Is.EqualTo("1.0.2"));
        Assert.That(card.Provider?.Url, Is.EqualTo("https://github.com/example/weather-mcp"));
        Assert.That(card.Capabilities, Is.Empty);
    }

    [Test]
    public void Parse_ServerCardDraft_ReadsToolsResourcesAndPrompts()
    {
        var card = parser.Parse(Fixtures.Card("mcp-server-card-draft.json"));

        Assert.That(card.DisplayName, Is.EqualTo("Enterprise Search"));
        Assert.That(card.Version, Is.EqualTo("2.3.0"));
        Assert.That(card.ProtocolVersion, Is.EqualTo("2025-06-18"));
        Assert.That(card.Capabilities.Select(c => $"{c.Kind}:{c.Name}"), Is.EqualTo(new[]
        {
            "mcp.tool:search", "mcp.tool:get_ticket", "mcp.resource:wiki-home", "mcp.prompt:triage",
        }));
        Assert.That(card.Capabilities.Single(c => c.Name == "wiki-home").Properties["uri"], Is.EqualTo("wiki://home"));
    }

    [TestCase("""{"description":"nameless"}""", "MissingField")]
    [TestCase("""{"serverInfo":{"version":"1"}}""", "MissingField")]
    [TestCase("""{"name":"x","tools":"nope"}""", "InvalidField")]
    [TestCase("""{"name":""", "InvalidJson")]
    public void Parse_BadCard_ThrowsWithReason(string json, string reason)
    {
        var e = Assert.Throws<CardParseException>(() => parser.Parse(Fixtures.Utf8(json)));

        Assert.That(e!.Reason.ToString(), Is.EqualTo(reason), e.Message);
    }
}
