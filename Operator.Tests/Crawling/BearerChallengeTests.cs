using AgentLens.Operator.Crawling;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>A WWW-Authenticate header is the server's text: read within caps, only values of a known shape kept.</summary>
[TestFixture]
public sealed class BearerChallengeTests
{
    private static BearerChallenge Parse(params string[] lines) => BearerChallenge.Parse(lines);

    [Test]
    public void TheSdksChallenge_GivesItsMetadataUrlScopeAndError()
    {
        var challenge = Parse("""Bearer error="invalid_token", error_description="Missing Authorization header", scope="docs:read docs:write", resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp" """);

        Assert.That(challenge.IsBearer, Is.True);
        Assert.That(challenge.ResourceMetadata, Is.EqualTo("http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"));
        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(challenge.Error, Is.EqualTo("invalid_token"));
    }

    [Test]
    public void SchemeAndParameterNames_AreCaseInsensitive_AndTokensNeedNoQuotes()
    {
        var challenge = Parse("bEaReR RESOURCE_METADATA=\"https://a.example/m\" , Error=insufficient_scope");

        Assert.That(challenge.ResourceMetadata, Is.EqualTo("https://a.example/m"));
        Assert.That(challenge.Error, Is.EqualTo("insufficient_scope"));
    }

    [Test]
    public void TheBearerChallenge_IsFoundAmongOthers_OnOneLineOrMany()
    {
        var oneLine = Parse("""Basic realm="x, Bearer resource_metadata=\"https://evil/\"", Negotiate abc==, Bearer resource_metadata="https://a.example/m" """);
        var lines = Parse("Basic realm=\"x\"", "Bearer resource_metadata=\"https://a.example/m\"");

        Assert.That(oneLine.ResourceMetadata, Is.EqualTo("https://a.example/m"), "a quoted Bearer inside realm is text, not a challenge");
        Assert.That(oneLine.OtherSchemes, Is.EqualTo(new[] { "Basic", "Negotiate" }));
        Assert.That(lines.ResourceMetadata, Is.EqualTo("https://a.example/m"));
    }

    [Test]
    public void QuotedStrings_UndoTheirEscapes()
    {
        var challenge = Parse("""Bearer realm="a \"quoted\" \\ realm", scope="a\:b" """);

        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "a:b" }));
    }

    [Test]
    public void AQuoteThatNeverEnds_HidesEverythingAfterIt()
    {
        var challenge = Parse("""Bearer scope="ok", realm="never ends, error=invalid_token""");

        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "ok" }));
        Assert.That(challenge.Error, Is.Null, "inside the open quote");
    }

    [TestCase("javascript:alert(1)")]
    [TestCase("file:///etc/passwd")]
    [TestCase("/relative/path")]
    [TestCase("https://user:pass@a.example/m")]
    [TestCase("https://a.example/\r\nX-Injected: 1")]
    public void AMetadataUrlThatIsNotAPlainHttpUrl_IsDropped(string url) =>
        Assert.That(Parse($"Bearer resource_metadata=\"{url.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"").ResourceMetadata, Is.Null);

    [Test]
    public void FreeTextAndOddValues_AreNotKept()
    {
        var challenge = Parse("""Bearer error="<script>alert(1)</script>", scope="good bad\"scope ok" """);

        Assert.That(challenge.Error, Is.Null, "an error code is lower-case letters and underscores");
        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "good", "ok" }), "a scope with a quote in it is not a scope");
    }

    [Test]
    public void AHugeHeader_IsReadOnlyUpToItsCap()
    {
        var huge = "Bearer scope=\"first\", realm=\"" + new string('x', 1_000_000) + "\", resource_metadata=\"https://late.example/m\"";

        var challenge = Parse(huge);

        Assert.That(challenge.Scopes, Is.EqualTo(new[] { "first" }));
        Assert.That(challenge.ResourceMetadata, Is.Null, "what lies past the cap is not read");
    }

    [Test]
    public void ManyParameters_KeepOnlyTheFirst_OfEachName()
    {
        var many = "Bearer " + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"x{i}=1")) + ", scope=\"late\"";

        Assert.That(Parse(many).Scopes, Is.Empty, "beyond the parameter cap nothing more is kept");
        Assert.That(Parse("Bearer scope=\"one\", scope=\"two\"").Scopes, Is.EqualTo(new[] { "one" }));
    }

    [Test]
    public void ManyScopes_AreCapped() =>
        Assert.That(Parse("Bearer scope=\"" + string.Join(' ', Enumerable.Range(0, 500).Select(i => $"s{i}")) + "\"").Scopes, Has.Length.EqualTo(64));

    [TestCase("")]
    [TestCase(",,,, ,")]
    [TestCase("=====")]
    [TestCase("Bearer ===, =x")]
    [TestCase("\"Bearer\" resource_metadata=\"https://a.example/\"")]
    [TestCase("Bearer\u0000resource_metadata=\"https://a.example/\"")]
    public void Garbage_GivesNoMetadataUrl_AndNeverThrows(string header) =>
        Assert.That(Parse(header).ResourceMetadata, Is.Null);

    [Test]
    public void NoHeader_IsNone() => Assert.That(BearerChallenge.Parse(null), Is.EqualTo(BearerChallenge.None));

    [Test]
    public void OnlyOtherSchemes_AreNotBearer()
    {
        var challenge = Parse("Basic realm=\"intranet\"");

        Assert.That(challenge.IsBearer, Is.False);
        Assert.That(challenge.OtherSchemes, Is.EqualTo(new[] { "Basic" }));
    }
}
