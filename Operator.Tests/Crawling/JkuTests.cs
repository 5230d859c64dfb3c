using System.Text;
using System.Text.Json.Nodes;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>
/// A signature's <c>jku</c> against the allow-list (parsed URLs, not string prefixes), the limits on how many
/// are fetched, and the once-per-cycle fetch shared by every agent that names the same <c>jku</c>.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class JkuTests
{
    private const string Card = """{"name":"Signed Agent","description":"Signs its card","version":"1.0.0","supportedInterfaces":[{"url":"http://127.0.0.1/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"skills":[{"id":"s","name":"S","description":"does s","tags":["t"]}]}""";

    private static SourceRef InNamespace(string ns) => new() { Type = SourceType.Kubernetes, Namespace = ns, Name = "agent" };

    /// <summary>A key server that answers every path with <paramref name="served"/>() (set after signing: the URL is in the header).</summary>
    private static LoopbackServer KeyServer(Func<string> served) =>
        new((_, stream, ct) => LoopbackServer.Respond(stream, 200, served(), ct: ct));

    private static async Task<SignatureVerdict> CrawlAsync(CrawlerHarness crawler, string card, SourceRef? source = null)
    {
        await using var agent = LoopbackServer.Json(card);
        var discovered = CrawlerHarness.Agent(Protocol.A2a, agent.BaseUrl);
        var result = await crawler.CrawlAsync(source is null ? discovered : discovered with { Source = source });
        Assert.That(result.Outcome, Is.TypeOf<CardFetched>(), "a signature problem is a verdict, never a failed crawl");
        return ((CardFetched)result.Outcome).Signature!;
    }

    [Test]
    public async Task JkuWithUserinfo_NamingTheAllowedOrigin_IsNeverFetched()
    {
        // http://allowed@evil/ starts with "http://allowed" but is a request to evil.
        await using var allowed = KeyServer(() => "{}");
        var jwks = "{}";
        await using var evil = KeyServer(() => jwks);
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "k1", $"http://127.0.0.1:{allowed.Port}@127.0.0.1:{evil.Port}/jwks.json"));
        jwks = keys;
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"http://127.0.0.1:{allowed.Port}"] });
        crawler.Verifier.StartCycle();

        var verdict = await CrawlAsync(crawler, signed);

        Assert.That(evil.RequestCount, Is.Zero, "the host after the userinfo is not on the allow-list");
        Assert.That(allowed.RequestCount, Is.Zero);
        Assert.That((verdict.Status, verdict.Reason), Is.EqualTo((ConditionStatus.False, "UntrustedKey")), verdict.Message);
        Assert.That(verdict.Message, Does.Contain("userinfo"));
    }

    [Test]
    public async Task JkuWhoseAuthorityMerelyStartsWithTheAllowedOne_IsNeverFetched()
    {
        // As https://keys.example.com.evil.net/ against https://keys.example.com: here port 4123 allowed, 41234 asked.
        var jwks = "{}";
        await using var evil = KeyServer(() => jwks);
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "k1", $"http://127.0.0.1:{evil.Port}/jwks.json"));
        jwks = keys;
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"http://127.0.0.1:{evil.Port / 10}"] });
        crawler.Verifier.StartCycle();

        var verdict = await CrawlAsync(crawler, signed);

        Assert.That(evil.RequestCount, Is.Zero, "another port is another origin");
        Assert.That(verdict.Reason, Is.EqualTo("UntrustedKey"), verdict.Message);
        Assert.That(verdict.Message, Does.Contain("not in --trust-jku-allow"));
    }

    [TestCase("/keysevil/jwks.json", false)]
    [TestCase("/keys/../evil/jwks.json", false)]
    [TestCase("/keys/%2e%2e/evil/jwks.json", false)]
    [TestCase("/keys%2fjwks.json", false)]
    [TestCase("/keys/jwks.json?x=/../evil", false)]
    [TestCase("/keys/jwks.json", true)]
    [TestCase("/keys", true)]
    public async Task AllowedPath_IsAPrefixOnSegmentBoundaries_AfterNormalisation(string path, bool allowed)
    {
        var jwks = "{}";
        await using var server = KeyServer(() => jwks);
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "k1", server.BaseUrl + path));
        jwks = keys;
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"{server.BaseUrl}/keys"] });
        crawler.Verifier.StartCycle();

        var verdict = await CrawlAsync(crawler, signed);

        Assert.That(verdict.Reason, Is.EqualTo(allowed ? "Verified" : "UntrustedKey"), verdict.Message);
        Assert.That(server.RequestCount, Is.EqualTo(allowed ? 1 : 0));
    }

    [Test]
    public async Task JkuThatRedirects_IsNotFollowed_EvenWithinTheOrigin()
    {
        // /keys/ is allowed, /other/ is not: a same-origin redirect must not carry the fetch out of the allowed path.
        var jwks = "{}";
        await using var server = new LoopbackServer((request, stream, ct) => request.Path.StartsWith("/keys/", StringComparison.Ordinal)
            ? LoopbackServer.RespondHead(stream, "HTTP/1.1 302 Found\nLocation: /other/jwks.json\nContent-Length: 0\nConnection: close\n", ct)
            : LoopbackServer.Respond(stream, 200, jwks, ct: ct));
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "k1", $"{server.BaseUrl}/keys/jwks.json"));
        jwks = keys;
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"{server.BaseUrl}/keys/"] });
        crawler.Verifier.StartCycle();

        var verdict = await CrawlAsync(crawler, signed);

        Assert.That(verdict.Reason, Is.EqualTo("UntrustedKey"), verdict.Message);
        Assert.That(verdict.Message, Does.Contain("could not be read").And.Contain("302"));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/keys/jwks.json" }));
    }

    [Test]
    public async Task NamespaceScopedAllowEntry_IsFetchedAndTrustedOnlyForThoseNamespaces()
    {
        var jwks = "{}";
        await using var server = KeyServer(() => jwks);
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "team-a-key", $"{server.BaseUrl}/team-a/jwks.json"));
        jwks = keys;
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"team-a+team-c={server.BaseUrl}/team-a/"] });
        crawler.Verifier.StartCycle();

        var other = await CrawlAsync(crawler, signed, InNamespace("team-b"));
        var unscoped = await CrawlAsync(crawler, signed);
        var fetchesForOthers = server.RequestCount;
        var own = await CrawlAsync(crawler, signed, InNamespace("team-a"));

        Assert.That(other.Reason, Is.EqualTo("UntrustedKey"), other.Message);
        Assert.That(unscoped.Reason, Is.EqualTo("UntrustedKey"), "a static entry has no namespace, so a namespace-scoped jku does not cover it");
        Assert.That(fetchesForOthers, Is.Zero, "team-b's card cannot make us fetch team-a's jku");
        Assert.That(own.Reason, Is.EqualTo("Verified"), own.Message);
    }

    [Test]
    public async Task HundredJkuUrlsInOneCard_FetchAFewAtMost()
    {
        await using var server = KeyServer(() => """{"keys":[]}""");
        var keys = Enumerable.Range(0, 100).Select(i => ("ES256", $"k{i}", (string?)$"{server.BaseUrl}/keys/{i}.json")).ToArray();
        var (signed, _) = await A2aSdk.SignAsync(Card, keys);
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"{server.BaseUrl}/keys/"] });
        crawler.Verifier.StartCycle();

        var verdict = await CrawlAsync(crawler, signed);

        Assert.That(server.RequestCount, Is.InRange(1, 4));
        Assert.That(verdict.Status, Is.EqualTo(ConditionStatus.False), verdict.Message);
        Assert.That(verdict.Message, Does.Contain("not checked"));
    }

    [Test]
    public async Task DistinctJkuUrlsPerCycle_AreCapped_AndTheRestGetAVerdictNotAFetch()
    {
        var jwks = "{}";
        await using var server = KeyServer(() => jwks);
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "a", $"{server.BaseUrl}/a.json"), ("ES256", "b", $"{server.BaseUrl}/b.json"), ("ES256", "c", $"{server.BaseUrl}/c.json"));
        jwks = keys;
        string OnlySignature(int i)
        {
            var card = JsonNode.Parse(signed)!;
            card["signatures"] = new JsonArray(card["signatures"]![i]!.DeepClone());
            return card.ToJsonString();
        }

        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"{server.BaseUrl}/"], MaxJkuPerCycle = 2 });
        crawler.Verifier.StartCycle();

        var verdicts = new List<SignatureVerdict>();
        for (var i = 0; i < 3; i++)
        {
            verdicts.Add(await CrawlAsync(crawler, OnlySignature(i)));
        }

        Assert.That(verdicts.Select(v => v.Reason), Is.EqualTo(new[] { "Verified", "Verified", "JkuLimitReached" }));
        Assert.That(verdicts[2].Message, Does.Contain("2"));
        Assert.That(server.RequestCount, Is.EqualTo(2));
    }

    [Test]
    public async Task FirstAgentsBudgetEndsMidFetch_ASecondAgentWithTheSameJku_StillVerifies()
    {
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var jwks = "{}";
        await using var server = new LoopbackServer(async (_, stream, ct) =>
        {
            requested.TrySetResult();
            await release.Task.WaitAsync(ct);
            await LoopbackServer.Respond(stream, 200, jwks, ct: ct);
        });
        var (signed, keys) = await A2aSdk.SignAsync(Card, ("ES256", "k1", $"{server.BaseUrl}/jwks.json"));
        jwks = keys;
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"{server.BaseUrl}/"] });
        crawler.Verifier.StartCycle();
        var card = Encoding.UTF8.GetBytes(signed);
        var agent = CrawlerHarness.Agent(Protocol.A2a, "http://127.0.0.1:1");

        using var firstBudget = new CancellationTokenSource();
        var first = crawler.Verifier.VerifyAsync(card, agent, firstBudget.Token);
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await firstBudget.CancelAsync();
        Assert.That(async () => await first.WaitAsync(TimeSpan.FromSeconds(30)), Throws.InstanceOf<OperationCanceledException>(), "the first agent stops waiting on its own budget");
        var second = crawler.Verifier.VerifyAsync(card, agent, CancellationToken.None);
        release.TrySetResult();
        var verdict = await second.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(verdict.Reason, Is.EqualTo("Verified"), verdict.Message);
        Assert.That(server.RequestCount, Is.EqualTo(1), "the shared fetch went on for the others");
    }
}
