using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Cards;

[TestFixture]
public sealed class A2aCardParserTests
{
    private readonly A2aCardParser parser = new();

    private static string[] Names(ParsedCard card, string kind) => [.. card.Capabilities.Where(c => c.Kind == kind).Select(c => c.Name)];

    [Test]
    public void Parse_Spec02Card_ReadsIdentitySkillsAndSecurity()
    {
        var card = parser.Parse(Fixtures.Card("a2a-0.2-route-planner.json"));

        Assert.That(card.DisplayName, Is.EqualTo("Route Planner Agent"));
        Assert.That(card.Version, Is.EqualTo("1.2.0"));
        Assert.That(card.Provider, Is.EqualTo(new Provider("Example Geo Services", "https://www.example.com")));
        Assert.That(Names(card, CapabilityKinds.A2aSkill), Is.EqualTo(new[] { "route-optimizer-traffic", "custom-map-generator" }));
        Assert.That(Names(card, CapabilityKinds.A2aInterface), Is.EqualTo(new[] { "JSONRPC https://routes.example.com/a2a/v1" }));
        Assert.That(Names(card, CapabilityKinds.A2aSecurityScheme), Is.EqualTo(new[] { "google" }));
        var requirement = card.Capabilities.Single(c => c.Kind == CapabilityKinds.A2aSecurityRequirement);
        Assert.That(requirement.Properties["scopes.google"], Is.EqualTo("openid,profile,email"));
    }

    [Test]
    public void Parse_IconUrlAndDocumentationUrl_AreKept()
    {
        var card = parser.Parse(Fixtures.Utf8("""{"name": "a", "iconUrl": "https://a.example.com/a.svg", "documentationUrl": "https://docs.example.com/a"}"""));

        Assert.That(card.Icons, Is.EqualTo(new[] { new Icon("https://a.example.com/a.svg", null, null) }));
        Assert.That(card.WebsiteUrl, Is.EqualTo("https://docs.example.com/a"));
    }

    [Test]
    public void Parse_WithoutDocumentationUrl_TheWebsiteIsTheProvidersUrl_AndBadUrlsAreDropped()
    {
        var card = parser.Parse(Fixtures.Utf8("""{"name": "a", "iconUrl": "data:image/png;base64,AAAA", "documentationUrl": "javascript:x", "provider": {"organization": "o", "url": "https://o.example.com"}}"""));

        Assert.That(card.Icons, Is.Empty);
        Assert.That(card.WebsiteUrl, Is.EqualTo("https://o.example.com/"));
    }

    [Test]
    public void Parse_SkillKeepsTitleTagsAndModes()
    {
        var card = parser.Parse(Fixtures.Card("a2a-0.2-route-planner.json"));

        var skill = card.Capabilities.First(c => c.Kind == CapabilityKinds.A2aSkill);
        Assert.That(skill.Description, Does.StartWith("Calculates the optimal driving route"));
        Assert.That(skill.Tags, Is.EqualTo(new[] { "maps", "routing", "navigation", "traffic" }));
        Assert.That(skill.Properties["title"], Is.EqualTo("Traffic-Aware Route Optimizer"));
        Assert.That(skill.Properties["outputModes"], Is.EqualTo("application/json"));
    }

    [Test]
    public void Parse_SkillKeepsTheTextOfItsExamples()
    {
        var card = parser.Parse(Fixtures.Card("a2a-0.2-route-planner.json"));

        var skill = card.Capabilities.First(c => c.Kind == CapabilityKinds.A2aSkill);
        Assert.That(skill.Properties[CapabilityProperties.Examples], Is.EqualTo("Fastest route from the airport to downtown?"));
    }

    [Test]
    public void Parse_SkillWithManyLongExamples_KeepsThemBounded_OneALine()
    {
        var examples = string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"example {i}\\nsecond line {new string('x', 1000)}\""));
        var json = $$"""{"name":"a","skills":[{"id":"s","examples":[{{examples}}]}]}""";

        var text = parser.Parse(Fixtures.Utf8(json)).Capabilities.Single().Properties[CapabilityProperties.Examples];

        var lines = text.Split('\n');
        Assert.That(lines, Has.Length.InRange(1, SearchText.MaxExamples));
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(SearchText.MaxExampleChars));
        Assert.That(lines[0], Does.StartWith("example 0 second line xxx").And.EndWith("…"));
        Assert.That(text, Has.Length.LessThanOrEqualTo(CapabilityLimits.MaxPropertyChars));
    }

    [Test]
    public void Parse_SkillWithoutExamples_HasNoExamplesProperty()
    {
        var json = """{"name":"a","skills":[{"id":"s","examples":[]},{"id":"t","examples":[" ","\t"]}]}""";

        var skills = parser.Parse(Fixtures.Utf8(json)).Capabilities;

        Assert.That(skills.Select(s => s.Properties.ContainsKey(CapabilityProperties.Examples)), Is.All.False);
    }

    [Test]
    public void Parse_Spec03Card_ReadsInterfacesExtensionsRequirementsAndSignatures()
    {
        var card = parser.Parse(Fixtures.Card("a2a-0.3-with-interfaces.json"));

        Assert.That(card.ProtocolVersion, Is.EqualTo("0.3.0"));
        Assert.That(Names(card, CapabilityKinds.A2aInterface), Is.EqualTo(new[]
        {
            "JSONRPC https://travel.example.com/a2a/jsonrpc",
            "GRPC https://travel.example.com/a2a/grpc",
            "HTTP+JSON https://travel.example.com/a2a/rest",
        }));
        var extension = card.Capabilities.Single(c => c.Kind == CapabilityKinds.A2aExtension);
        Assert.That(extension.Name, Is.EqualTo("https://a2a.example.com/ext/traceability/v1"));
        Assert.That(extension.Properties["required"], Is.EqualTo("true"));
        Assert.That(Names(card, CapabilityKinds.A2aSecurityRequirement), Is.EqualTo(new[] { "oauth", "apiKey" }));
        var apiKey = card.Capabilities.Single(c => c is { Kind: CapabilityKinds.A2aSecurityScheme, Name: "apiKey" });
        Assert.That(apiKey.Properties, Is.EquivalentTo(new Dictionary<string, string> { ["type"] = "apiKey", ["in"] = "header", ["parameter"] = "X-API-Key" }));
        var signature = card.Capabilities.Single(c => c.Kind == CapabilityKinds.A2aSignature);
        Assert.That(signature.Name, Is.EqualTo("key-1"));
        Assert.That(signature.Properties["alg"], Is.EqualTo("ES256"));
    }

    [Test]
    public void Parse_DuplicateSkillTags_AreDeduplicated()
    {
        var card = parser.Parse(Fixtures.Card("a2a-0.3-with-interfaces.json"));

        Assert.That(card.Capabilities.Single(c => c.Name == "book-hotel").Tags, Is.EqualTo(new[] { "travel", "hotels" }));
    }

    [Test]
    public void Parse_Spec10Card_ReadsSupportedInterfacesAndWrappedSecuritySchemes()
    {
        var card = parser.Parse(Fixtures.Card("a2a-1.0-supported-interfaces.json"));

        Assert.That(card.ProtocolVersion, Is.EqualTo("1.0"));
        var rest = card.Capabilities.Single(c => c.Name == "HTTP+JSON https://invoices.example.com/a2a/rest");
        Assert.That(rest.Properties["tenant"], Is.EqualTo("acme"));
        var bearer = card.Capabilities.Single(c => c.Kind == CapabilityKinds.A2aSecurityScheme);
        Assert.That(bearer.Properties["type"], Is.EqualTo("http"));
        Assert.That(bearer.Properties["scheme"], Is.EqualTo("Bearer"));
        Assert.That(card.Capabilities.Single(c => c.Kind == CapabilityKinds.A2aSecurityRequirement).Properties["scopes.bearer"], Is.EqualTo("invoices.read"));
    }

    [Test]
    public void Parse_SecurityDeclarations_BecomeTheAuthorizationShape_WithTheExtendedCard()
    {
        var card = parser.Parse(Fixtures.Card("a2a-1.0-supported-interfaces.json"));
        var legacy = parser.Parse(Fixtures.Utf8("""
            {"name":"x","supportsAuthenticatedExtendedCard":true,
             "securitySchemes":{"oauth":{"type":"oauth2"},"key":{"type":"apiKey","in":"header","name":"X-Key"}},
             "security":[{"oauth":["read","write"]},{"key":[],"oauth":["read"]}]}
            """));

        var authorization = card.Authorization!;
        Assert.That(authorization.Schemes.Select(s => (s.Name, s.Type, s.Scheme)), Is.EqualTo(new[] { ("bearer", (string?)"http", (string?)"Bearer") }));
        Assert.That(authorization.Requirements.Single().Schemes, Is.EqualTo(new[] { "bearer" }));
        Assert.That(authorization.Requirements.Single().Scopes["bearer"], Is.EqualTo("invoices.read"));
        Assert.That(authorization.ExtendedCard, Is.True);
        Assert.That(authorization.Required, Is.False, "a card's declarations say how to get in, not that we were refused");
        Assert.That(legacy.Authorization!.ExtendedCard, Is.True);
        Assert.That(legacy.Authorization.Schemes.Single(s => s.Name == "key").Parameter, Is.EqualTo("X-Key"));
        Assert.That(legacy.Authorization.Requirements.Select(r => string.Join('+', r.Schemes)), Is.EqualTo(new[] { "oauth", "key+oauth" }));
        Assert.That(legacy.Authorization.Requirements[1].Scopes.Keys, Is.EqualTo(new[] { "oauth" }), "a scheme without scopes has none listed");
        Assert.That(parser.Parse(Fixtures.Utf8("""{"name":"open"}""")).Authorization, Is.Null, "a card that declares nothing has no authorization");
    }

    [Test]
    public void Parse_SdkStyleOneOfSecurityScheme_ReadsTheCase()
    {
        var json = """{"name":"x","securitySchemes":{"k":{"scheme":{"$case":"apiKeySecurityScheme","value":{"location":"header","name":"X-Key"}}}}}""";

        var scheme = parser.Parse(Fixtures.Utf8(json)).Capabilities.Single();

        Assert.That(scheme.Properties["type"], Is.EqualTo("apiKey"));
        Assert.That(scheme.Properties["in"], Is.EqualTo("header"));
    }

    [Test]
    public void Parse_ProviderAsPlainString_IsAccepted()
    {
        var card = parser.Parse(Fixtures.Utf8("""{"name":"x","provider":"Acme"}"""));

        Assert.That(card.Provider, Is.EqualTo(new Provider("Acme", null)));
    }

    [TestCase("""{"description":"no name"}""", "MissingField")]
    [TestCase("""{"name":"   "}""", "MissingField")]
    [TestCase("""{"name":"x","protocolVersion":"2.0"}""", "UnsupportedVersion")]
    [TestCase("""{"name":"x","protocolVersion":"latest"}""", "InvalidField")]
    [TestCase("""{"name":42}""", "InvalidField")]
    [TestCase("""{"name":"x","skills":{"id":"not-a-list"}}""", "InvalidField")]
    [TestCase("""{"name":"x",""", "InvalidJson")]
    [TestCase("""<html>hi</html>""", "InvalidJson")]
    [TestCase("""[]""", "InvalidField")]
    [TestCase("""null""", "InvalidJson")]
    public void Parse_BadCard_ThrowsWithReason(string json, string reason)
    {
        var e = Assert.Throws<CardParseException>(() => parser.Parse(Fixtures.Utf8(json)));

        Assert.That(e!.Reason.ToString(), Is.EqualTo(reason), e.Message);
    }

    [Test]
    public void Parse_JsonNested100000Deep_IsRejectedAsInvalidJson()
    {
        var json = """{"name":"x","extra":""" + new string('[', 100_000) + new string(']', 100_000) + "}";

        var e = Assert.Throws<CardParseException>(() => parser.Parse(Fixtures.Utf8(json)));

        Assert.That(e!.Reason, Is.EqualTo(CardErrorReason.InvalidJson));
        Assert.That(e.Message, Does.Contain("depth"));
    }

    [Test]
    public void Parse_SameUrlAndBindingAtTwoProtocolVersions_IsTwoInterfaces()
    {
        var card = parser.Parse(Fixtures.Utf8("""
            {"name":"Two","supportedInterfaces":[
              {"url":"https://two.example/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"},
              {"url":"https://two.example/a2a","protocolBinding":"JSONRPC","protocolVersion":"0.3"}]}
            """));

        var interfaces = card.Capabilities.Where(c => c.Kind == CapabilityKinds.A2aInterface).ToList();
        Assert.That(interfaces.Select(i => i.Properties["protocolVersion"]), Is.EquivalentTo(new[] { "1.0", "0.3" }));
        Assert.That(interfaces.Select(i => i.Name).Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public void Parse_SkillDigest_CoversItsDefinition()
    {
        static string? Digest(string skill) => new A2aCardParser().Parse(Fixtures.Utf8($$"""{"name":"D","skills":[{{skill}}]}""")).Capabilities.Single().Digest;

        var plain = Digest("""{"id":"s","name":"S","description":"does s","tags":["a"],"inputModes":["text"]}""");
        Assert.That(plain, Does.StartWith("sha256:"));
        Assert.That(Digest("""{"id":"s","name":"S","description":"does s","tags":["a"],"inputModes":["text"]}"""), Is.EqualTo(plain));
        Assert.That(Digest("""{"id":"s","name":"S","description":"does s, and more","tags":["a"],"inputModes":["text"]}"""), Is.Not.EqualTo(plain));
        Assert.That(Digest("""{"id":"s","name":"S","description":"does s","tags":["a"],"inputModes":["file"]}"""), Is.Not.EqualTo(plain));
    }
}
