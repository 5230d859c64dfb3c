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
        Assert.That(card.RegistryName, Is.EqualTo("io.github.example/weather-mcp"));
        Assert.That(card.Version, Is.EqualTo("1.0.2"));
        Assert.That(card.Provider?.Url, Is.EqualTo("https://github.com/example/weather-mcp"));
        Assert.That(card.Capabilities, Is.Empty);
    }

    [Test]
    public void Parse_RegistryServerJsonWithATitle_KeepsItsNameApart_AndItsHttpIconsAndWebsite()
    {
        var longUrl = "https://icons.example.com/" + new string('a', 300) + ".png";
        var json = $$"""
            {"name": "io.example/weather", "title": "Weather", "version": "1.0.0", "websiteUrl": "https://weather.example.com/docs",
             "icons": [{"src": "https://weather.example.com/icon.png", "mimeType": "image/png", "theme": "dark"},
                       {"src": "javascript:alert(1)"}, {"src": "ftp://weather.example.com/icon.png"}, {"src": "{{longUrl}}"}, {"src": "icon.png"}]}
            """;

        var card = parser.Parse(Fixtures.Utf8(json));

        Assert.That(card.DisplayName, Is.EqualTo("Weather"));
        Assert.That(card.RegistryName, Is.EqualTo("io.example/weather"));
        Assert.That(card.WebsiteUrl, Is.EqualTo("https://weather.example.com/docs"));
        Assert.That(card.Icons, Is.EqualTo(new[] { new Icon("https://weather.example.com/icon.png", "image/png", "dark") }));
    }

    [TestCase("javascript:alert(1)")]
    [TestCase("file:///etc/passwd")]
    [TestCase("/docs")]
    public void Parse_WebsiteThatIsNotAnHttpUrl_IsNotKept(string url)
    {
        var json = $$"""{"name": "io.example/weather", "websiteUrl": "{{url}}"}""";

        Assert.That(parser.Parse(Fixtures.Utf8(json)).WebsiteUrl, Is.Null);
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

    [Test]
    public void Parse_Tool_KeepsItsParameters_RequiredOnesMarked()
    {
        var json = """
            {"name":"jira","tools":[{"name":"create_issue","inputSchema":{"type":"object","required":["summary"],"properties":{
              "summary":{"type":"string","description":"One line:\n what is wrong"},"labels":{"type":"array"}}}}]}
            """;

        var tool = parser.Parse(Fixtures.Utf8(json)).Capabilities.Single();

        Assert.That(tool.Properties[CapabilityProperties.Parameters], Is.EqualTo("summary*: One line: what is wrong\nlabels"));
    }

    [Test]
    public void Parse_ToolWithManyLongParameters_KeepsThemBounded()
    {
        var properties = string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""
            "p{{i}}":{"description":"{{new string('d', 5000)}}"}
            """));
        var json = """{"name":"big","tools":[{"name":"t","inputSchema":{"type":"object","properties":{""" + properties + "}}}]}";

        var parameters = parser.Parse(Fixtures.Utf8(json)).Capabilities.Single().Properties[CapabilityProperties.Parameters];

        var lines = parameters.Split('\n');
        Assert.That(lines, Has.Length.InRange(1, SearchText.MaxParameters));
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(SearchText.MaxParameterNameChars + 3 + SearchText.MaxParameterDescriptionChars));
        Assert.That(lines[0], Does.StartWith("p0: ddd").And.EndWith("…"));
        Assert.That(parameters, Has.Length.LessThanOrEqualTo(CapabilityLimits.MaxParametersChars));
    }

    [TestCase("\"not a schema\"")]
    [TestCase("""{"type":"string"}""")]
    [TestCase("""{"type":"array","properties":{"a":{"description":"x"}}}""")]
    [TestCase("""{"type":"object","properties":["a","b"]}""")]
    [TestCase("""{"type":"object","properties":{}}""")]
    [TestCase("""{"type":"object"}""")]
    public void Parse_ToolWithoutObjectProperties_HasNoParameters(string schema)
    {
        var json = $$"""{"name":"x","tools":[{"name":"t","description":"kept","inputSchema":{{schema}}}]}""";

        var tool = parser.Parse(Fixtures.Utf8(json)).Capabilities.Single();

        Assert.That(tool.Description, Is.EqualTo("kept"));
        Assert.That(tool.Properties.ContainsKey(CapabilityProperties.Parameters), Is.False);
    }

    [TestCase("""{"properties":{"a":5,"b":{"description":7}},"required":"a"}""", "a\nb")]
    [TestCase("""{"type":["object","null"],"properties":{"a":{}},"required":[1,"a",null]}""", "a*")]
    public void Parse_ToolWithOddSchema_KeepsWhatItCanRead(string schema, string expected)
    {
        var json = $$"""{"name":"x","tools":[{"name":"t","inputSchema":{{schema}}}]}""";

        var tool = parser.Parse(Fixtures.Utf8(json)).Capabilities.Single();

        Assert.That(tool.Properties[CapabilityProperties.Parameters], Is.EqualTo(expected));
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
