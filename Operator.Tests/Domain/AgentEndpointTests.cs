using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

[TestFixture]
public sealed class AgentEndpointTests
{
    [TestCase("http://Weather.Default.svc.cluster.local:80/", "http://weather.default.svc.cluster.local")]
    [TestCase("HTTPS://Agent.Example.COM:443", "https://agent.example.com")]
    [TestCase("https://agent.example.com:8443/a2a/", "https://agent.example.com:8443/a2a")]
    [TestCase("http://10.0.0.7:8080", "http://10.0.0.7:8080")]
    [TestCase("http://[::1]:9000/mcp", "http://[::1]:9000/mcp")]
    [TestCase("  http://x.example/path?q=1#frag  ", "http://x.example/path")]
    [TestCase("http://x.example/A/B/", "http://x.example/A/B")]
    public void Normalize_ProducesTheCanonicalForm(string input, string expected) =>
        Assert.That(AgentEndpoint.Normalize(input), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("not a url")]
    [TestCase("/relative/path")]
    [TestCase("ftp://files.example.com")]
    [TestCase("file:///etc/passwd")]
    [TestCase("http://user:secret@x.example")]
    public void TryNormalize_RejectsWithAReason(string input)
    {
        Assert.That(AgentEndpoint.TryNormalize(input, out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void Resolve_JoinsAPathOntoTheOrigin() =>
        Assert.That(AgentEndpoint.Resolve("https://x.example:8443/a2a", ".well-known/agent.json"), Is.EqualTo("https://x.example:8443/.well-known/agent.json"));
}
