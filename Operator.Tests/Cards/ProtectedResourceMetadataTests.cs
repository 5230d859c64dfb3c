using System.Text;
using AgentLens.Operator.Cards;

namespace AgentLens.Operator.Tests.Cards;

/// <summary>RFC 9728 metadata is the server's document: capped, lenient about wrong types, strict about what it keeps.</summary>
[TestFixture]
public sealed class ProtectedResourceMetadataTests
{
    private static ProtectedResourceMetadata Parse(string json) => ProtectedResourceMetadata.Parse(Encoding.UTF8.GetBytes(json));

    [Test]
    public void TheSdksDocument_GivesResourceServersScopesAndName()
    {
        var metadata = Parse("""{"resource":"http://127.0.0.1:9/mcp","authorization_servers":["https://auth.example.test/"],"scopes_supported":["docs:read","docs:write"],"resource_name":"Private docs","bearer_methods_supported":["header"]}""");

        Assert.That(metadata.Resource, Is.EqualTo("http://127.0.0.1:9/mcp"));
        Assert.That(metadata.AuthorizationServers, Is.EqualTo(new[] { "https://auth.example.test/" }));
        Assert.That(metadata.ScopesSupported, Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(metadata.ResourceName, Is.EqualTo("Private docs"));
    }

    [Test]
    public void ValuesOfTheWrongTypeOrShape_AreLeftOut()
    {
        var metadata = Parse("""
            {"resource":"https://a.example/mcp",
             "authorization_servers":[1, null, {"x":1}, "javascript:alert(1)", "https://u:p@a.example/", "/relative", "https://ok.example/", "https://ok.example/"],
             "scopes_supported":"not-a-list",
             "resource_name":{"no":"object"}}
            """);

        Assert.That(metadata.AuthorizationServers, Is.EqualTo(new[] { "https://ok.example/" }));
        Assert.That(metadata.ScopesSupported, Is.Empty);
        Assert.That(metadata.ResourceName, Is.Null);
    }

    [Test]
    public void ListsAndNames_AreCapped_AndControlCharactersDropped()
    {
        var servers = string.Join(',', Enumerable.Range(0, 100).Select(i => $"\"https://as{i}.example/\""));
        var scopes = string.Join(',', Enumerable.Range(0, 1000).Select(i => $"\"s{i}\""));
        var metadata = Parse($$"""{"resource":"https://a.example/","authorization_servers":[{{servers}}],"scopes_supported":[{{scopes}}, "bad scope"],"resource_name":"Na\u0007me{{new string('x', 1000)}}"}""");

        Assert.That(metadata.AuthorizationServers, Has.Length.EqualTo(ProtectedResourceMetadata.MaxAuthorizationServers));
        Assert.That(metadata.ScopesSupported, Has.Length.EqualTo(ProtectedResourceMetadata.MaxScopes));
        Assert.That(metadata.ResourceName, Does.StartWith("Namex").And.Length.LessThanOrEqualTo(ProtectedResourceMetadata.MaxNameChars));
    }

    [TestCase("", "InvalidJson")]
    [TestCase("<html>login</html>", "InvalidJson")]
    [TestCase("[1,2]", "InvalidField")]
    [TestCase("null", "InvalidField")]
    [TestCase("{}", "MissingField")]
    [TestCase("""{"resource":"urn:not-http"}""", "MissingField")]
    [TestCase("""{"resource":42}""", "MissingField")]
    public void Garbage_IsAClearError_ThatNeverQuotesTheBody(string json, string reason)
    {
        var error = Assert.Throws<CardParseException>(() => Parse(json));

        Assert.That(error!.Reason.ToString(), Is.EqualTo(reason));
        Assert.That(error.Message, Does.Not.Contain("login").And.Not.Contain("urn:"));
    }

    [Test]
    public void ADeepDocument_IsRefused()
    {
        var deep = "{\"resource\":\"https://a.example/\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";

        Assert.That(Assert.Throws<CardParseException>(() => Parse(deep))!.Reason, Is.EqualTo(CardErrorReason.InvalidJson));
    }

    [Test]
    public void ADocumentOverTheCap_IsRefusedBeforeItIsRead()
    {
        var big = "{\"resource\":\"https://a.example/\",\"pad\":\"" + new string('x', ProtectedResourceMetadata.MaxBytes) + "\"}";

        var error = Assert.Throws<CardParseException>(() => Parse(big));

        Assert.That(error!.Message, Does.Contain("larger than"));
    }
}
