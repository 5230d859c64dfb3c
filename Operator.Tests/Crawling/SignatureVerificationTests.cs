using System.Text.Json.Nodes;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>Cards signed by the official A2A SDK, served on loopback, crawled and checked against trust roots.</summary>
[TestFixture]
[Category("Integration")]
public sealed class SignatureVerificationTests
{
    private const string Card = """{"name":"Signed Agent","description":"Signs its card","version":"1.0.0","supportedInterfaces":[{"url":"http://127.0.0.1/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"skills":[{"id":"s","name":"S","description":"does s","tags":["t"]}]}""";
    private readonly List<string> files = [];

    [TearDown]
    public void RemoveFiles()
    {
        foreach (var file in files)
        {
            File.Delete(file);
        }
    }

    private string TrustFile(string jwks)
    {
        var path = Path.Combine(Path.GetTempPath(), $"agentlens-trust-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, jwks);
        files.Add(path);
        return path;
    }

    private static async Task<SignatureVerdict> CheckAsync(string card, TrustOptions trust, SourceRef? source = null)
    {
        await using var server = LoopbackServer.Json(card);
        using var crawler = new CrawlerHarness(trust: trust);
        crawler.Verifier.StartCycle();
        var agent = CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl);
        var result = await crawler.CrawlAsync(source is null ? agent : agent with { Source = source });
        Assert.That(result.Outcome, Is.TypeOf<CardFetched>(), "a signature problem is a verdict, never a failed crawl");
        return ((CardFetched)result.Outcome).Signature!;
    }

    [TestCase("ES256")]
    [TestCase("RS256")]
    public async Task CardSignedByTheSdk_VerifiesWithTheTrustedKey(string alg)
    {
        var (signed, jwks) = await A2aSdk.SignAsync(Card, (alg, $"key-{alg}", null));

        var verdict = await CheckAsync(signed, new TrustOptions { JwksPath = TrustFile(jwks) });

        Assert.That(verdict.Status, Is.EqualTo(ConditionStatus.True), verdict.Message);
        Assert.That(verdict.Reason, Is.EqualTo("Verified"));
        Assert.That(verdict.Message, Does.Contain($"key-{alg}").And.Contain(alg));
    }

    [TestCase("description", "Signs something else")]
    [TestCase("version", "1.0.1")]
    public async Task OneFieldChangedAfterSigning_IsInvalidSignature(string field, string value)
    {
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var tampered = JsonNode.Parse(signed)!;
        tampered[field] = value;

        var verdict = await CheckAsync(tampered.ToJsonString(), new TrustOptions { JwksPath = TrustFile(jwks) });

        Assert.That((verdict.Status, verdict.Reason), Is.EqualTo((ConditionStatus.False, "InvalidSignature")), verdict.Message);
    }

    [Test]
    public async Task UnknownField_IsNotCovered_SoAddingOneKeepsTheSignatureValid()
    {
        // As the SDK canonicalizes: what the AgentCard message does not define is not signed.
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var extended = JsonNode.Parse(signed)!;
        extended["x-vendor"] = "anything";

        var verdict = await CheckAsync(extended.ToJsonString(), new TrustOptions { JwksPath = TrustFile(jwks) });

        Assert.That(verdict.Reason, Is.EqualTo("Verified"), verdict.Message);
    }

    [Test]
    public async Task CardSignedByAnUnknownKey_IsUntrustedKey()
    {
        var (_, trusted) = await A2aSdk.SignAsync(Card, ("ES256", "trusted", null));
        var (signed, _) = await A2aSdk.SignAsync(Card, ("ES256", "stranger", null));

        var verdict = await CheckAsync(signed, new TrustOptions { JwksPath = TrustFile(trusted) });

        Assert.That((verdict.Status, verdict.Reason), Is.EqualTo((ConditionStatus.False, "UntrustedKey")), verdict.Message);
        Assert.That(verdict.Message, Does.Contain("stranger"));
    }

    [Test]
    public async Task SameKidButAnotherKey_IsInvalidSignature()
    {
        var (_, trusted) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var (signed, _) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));

        var verdict = await CheckAsync(signed, new TrustOptions { JwksPath = TrustFile(trusted) });

        Assert.That(verdict.Reason, Is.EqualTo("InvalidSignature"), verdict.Message);
    }

    [Test]
    public async Task UnsignedCard_IsUnknownUnsigned_AndSignedCardWithoutTrustRoots_IsUnknownNoTrustRoots()
    {
        var (signed, _) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));

        var unsigned = await CheckAsync(Card, new TrustOptions());
        var noRoots = await CheckAsync(signed, new TrustOptions());

        Assert.That((unsigned.Status, unsigned.Reason), Is.EqualTo((ConditionStatus.Unknown, "Unsigned")));
        Assert.That((noRoots.Status, noRoots.Reason), Is.EqualTo((ConditionStatus.Unknown, "NoTrustRoots")));
    }

    [TestCase("none")]
    [TestCase("HS256")]
    public async Task NoneAndHmac_AreRefused(string alg)
    {
        var (_, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode($$"""{"alg":"{{alg}}","kid":"k1","typ":"JOSE"}""");
        var card = JsonNode.Parse(Card)!;
        card["signatures"] = JsonNode.Parse($$"""[{"protected":"{{header}}","signature":""}]""");

        var verdict = await CheckAsync(card.ToJsonString(), new TrustOptions { JwksPath = TrustFile(jwks) });

        Assert.That((verdict.Status, verdict.Reason), Is.EqualTo((ConditionStatus.False, "UnsupportedAlgorithm")), verdict.Message);
    }

    [Test]
    public async Task SignatureWithoutKid_IsMalformed()
    {
        var (_, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"ES256","typ":"JOSE"}""");
        var card = JsonNode.Parse(Card)!;
        card["signatures"] = JsonNode.Parse($$"""[{"protected":"{{header}}","signature":"AAAA"}]""");

        var verdict = await CheckAsync(card.ToJsonString(), new TrustOptions { JwksPath = TrustFile(jwks) });

        Assert.That(verdict.Reason, Is.EqualTo("MalformedSignature"));
    }

    [TestCase("signature", "!!!not-base64url!!!", "InvalidSignature")]
    [TestCase("signature", "AAAA", "InvalidSignature")]
    [TestCase("protected", "WzFd", "MalformedSignature")]
    [TestCase("protected", "Im5vdCBhbiBvYmplY3Qi", "MalformedSignature")]
    public async Task MalformedSignature_WithATrustedKid_IsAVerdict(string member, string value, string reason)
    {
        // WzFd is [1] and Im5v… is "not an object": JSON, but no header object to read a kid from.
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var card = JsonNode.Parse(signed)!;
        card["signatures"]![0]![member] = value;

        var verdict = await CheckAsync(card.ToJsonString(), new TrustOptions { JwksPath = TrustFile(jwks) });

        Assert.That((verdict.Status, verdict.Reason), Is.EqualTo((ConditionStatus.False, reason)), verdict.Message);
    }

    [Test]
    public async Task TrustedKeyOfAnotherTypeOrBrokenMaterial_IsInvalidSignature()
    {
        var (signed, _) = await A2aSdk.SignAsync(Card, ("ES256", "k1", null));
        var (_, rsa) = await A2aSdk.SignAsync(Card, ("RS256", "k1", null));
        var rsaWithoutAlg = JsonNode.Parse(rsa)!;
        rsaWithoutAlg["keys"]![0]!.AsObject().Remove("alg");
        const string Broken = """{"keys":[{"kty":"EC","kid":"k1","crv":"P-256","x":"AA","y":"AA"}]}""";

        var mismatch = await CheckAsync(signed, new TrustOptions { JwksPath = TrustFile(rsaWithoutAlg.ToJsonString()) });
        var broken = await CheckAsync(signed, new TrustOptions { JwksPath = TrustFile(Broken) });

        Assert.That(mismatch.Reason, Is.EqualTo("InvalidSignature"), mismatch.Message);
        Assert.That(broken.Reason, Is.EqualTo("InvalidSignature"), broken.Message);
    }

    [Test]
    public async Task KeyScopedToANamespace_VerifiesOnlyThatNamespacesAgents()
    {
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "team-key", null));
        var scoped = JsonNode.Parse(jwks)!;
        scoped["keys"]![0]!["agentlens.io/namespaces"] = new JsonArray("team-a");
        var trust = new TrustOptions { JwksPath = TrustFile(scoped.ToJsonString()) };

        var own = await CheckAsync(signed, trust, new SourceRef { Type = SourceType.Kubernetes, Namespace = "team-a", Name = "agent" });
        var other = await CheckAsync(signed, trust, new SourceRef { Type = SourceType.Kubernetes, Namespace = "team-b", Name = "agent" });

        Assert.That(own.Reason, Is.EqualTo("Verified"), own.Message);
        Assert.That(other.Reason, Is.EqualTo("UntrustedKey"), other.Message);
    }

    [Test]
    public async Task JkuOutsideTheAllowList_IsNeverRequested()
    {
        await using var keys = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 200, "{}", ct: ct));
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", $"{keys.BaseUrl}/jwks.json"));
        var (_, unrelated) = await A2aSdk.SignAsync(Card, ("ES256", "other", null));

        var verdict = await CheckAsync(signed, new TrustOptions { JwksPath = TrustFile(unrelated), JkuAllow = ["https://keys.example/"] });

        Assert.That(verdict.Reason, Is.EqualTo("UntrustedKey"));
        Assert.That(verdict.Message, Does.Contain("not in --trust-jku-allow"));
        Assert.That(keys.RequestCount, Is.Zero, "a signer cannot make us fetch, let alone trust, a key by pointing at it");
        Assert.That(jwks, Does.Contain("k1"));
    }

    [Test]
    public async Task JkuInsideTheAllowList_IsFetchedOncePerCycle_AndItsKeysVerify()
    {
        // The key server must exist before signing (its URL is in the protected header); it serves the keys after.
        var served = "{}";
        await using var keys = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 200, served, ct: ct));
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "k1", $"{keys.BaseUrl}/jwks.json"));
        served = jwks;
        await using var agentA = LoopbackServer.Json(signed);
        await using var agentB = LoopbackServer.Json(signed);
        using var crawler = new CrawlerHarness(trust: new TrustOptions { JkuAllow = [$"{keys.BaseUrl}/"] });

        crawler.Verifier.StartCycle();
        var results = await crawler.Crawler.CrawlAsync([new CrawlRequest(CrawlerHarness.Agent(Protocol.A2a, agentA.BaseUrl)), new CrawlRequest(CrawlerHarness.Agent(Protocol.A2a, agentB.BaseUrl))], CancellationToken.None);
        var firstCycle = keys.RequestCount;
        crawler.Verifier.StartCycle();
        await crawler.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, agentA.BaseUrl));

        Assert.That(results.Select(r => ((CardFetched)r.Outcome).Signature!.Reason), Is.EqualTo(new[] { "Verified", "Verified" }));
        Assert.That(firstCycle, Is.EqualTo(1), "two agents, one cycle: one fetch");
        Assert.That(keys.RequestCount, Is.EqualTo(2), "the next cycle fetches again");
    }
}
