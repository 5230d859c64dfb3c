using System.Diagnostics.Metrics;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>Signature verdicts in the catalog: condition, label, Events when a card stops verifying, and the trust roots file's life.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class SignatureTests
{
    private const string Card = """{"name":"Signed Agent","description":"Signs its card","version":"1.0.0","skills":[{"id":"s","name":"S"}]}""";
    private ControlPlane cp = null!;
    private string trustFile = null!;

    [SetUp]
    public async Task Start()
    {
        cp = await ControlPlane.SharedAsync();
        trustFile = Path.Combine(Path.GetTempPath(), $"agentlens-trust-{Guid.NewGuid():N}.json");
    }

    [TearDown]
    public void RemoveTrustFile() => File.Delete(trustFile);

    private static Condition Signature(AgentLens.Operator.Catalog.StoredEntry entry) => entry.Entry!.Status.Conditions.Single(c => c.Type == ConditionTypes.SignatureVerified);

    [Test]
    public async Task VerifiedCard_IsLabelledVerified_AndACardThatStopsVerifying_GetsAWarningEvent()
    {
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("ES256", "platform-2026", null));
        await File.WriteAllTextAsync(trustFile, jwks);
        var served = signed;
        await using var agent = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 200, served, ct: ct));
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Trust.JwksPath = trustFile);
        await h.WriteStaticAsync(("signed", agent.BaseUrl));

        await h.CycleAsync();
        var first = await h.SingleAsync();
        served = signed.Replace("Signs its card", "Signs nothing now", StringComparison.Ordinal);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var second = await h.SingleAsync();
        var events = await Tenant.EventsAboutAsync(cp.Client, h.StoreNamespace, first.Name);

        Assert.That((Signature(first).Status, Signature(first).Reason), Is.EqualTo((ConditionStatus.True, "Verified")));
        Assert.That(Signature(first).Message, Does.Contain("platform-2026"));
        Assert.That(first.Labels["agentlens.io/signed"], Is.EqualTo("verified"));
        Assert.That((Signature(second).Status, Signature(second).Reason), Is.EqualTo((ConditionStatus.False, "InvalidSignature")));
        Assert.That(second.Labels["agentlens.io/signed"], Is.EqualTo("unverified"));
        var warning = events.Single(e => e.Reason == "SignatureNotVerified");
        Assert.That(warning.Type, Is.EqualTo("Warning"));
        Assert.That(warning.Message, Does.Contain("InvalidSignature"));
    }

    [Test]
    public async Task VerifiedLabel_IsNotForgedThroughAJkuWithUserinfo_AndANamespaceScopedJkuVerifiesOnlyItsNamespace()
    {
        // A tenant signs with its own key and points jku at http://<allowed origin>@<its own server>/.
        await using var allowed = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 200, "{}", ct: ct));
        var served = new Dictionary<string, string>();
        await using var keys = new LoopbackServer((request, stream, ct) => LoopbackServer.Respond(stream, 200, served.GetValueOrDefault(request.Path, "{}"), ct: ct));
        var (forged, forgerKeys) = await A2aSdk.SignAsync(Card, ("ES256", "tenant", $"http://127.0.0.1:{allowed.Port}@127.0.0.1:{keys.Port}/forged.json"));
        var (own, ownKeys) = await A2aSdk.SignAsync(Card, ("ES256", "team", $"{keys.BaseUrl}/team/jwks.json"));
        (served["/forged.json"], served["/team/jwks.json"]) = (forgerKeys, ownKeys);
        await using var forger = LoopbackServer.Json(forged);
        await using var member = LoopbackServer.Json(own);
        await using var outsider = LoopbackServer.Json(own);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Trust.JkuAllow = [$"http://127.0.0.1:{allowed.Port}", $"{o.Namespaces[0]}={keys.BaseUrl}/team/"]);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "forger", "127.0.0.1", forger.Port);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "member", "127.0.0.1", member.Port);
        await h.WriteStaticAsync(("outsider", outsider.BaseUrl));

        await h.CycleAsync();
        var entries = (await h.EntriesAsync()).Values.ToDictionary(e => e.Entry!.Spec.Source.Name);

        Assert.That(entries["forger"].Labels["agentlens.io/signed"], Is.EqualTo("unverified"));
        Assert.That(Signature(entries["forger"]).Message, Does.Contain("userinfo"));
        Assert.That(keys.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/team/jwks.json" }), "the forger's key was never fetched");
        Assert.That(entries["member"].Labels["agentlens.io/signed"], Is.EqualTo("verified"), Signature(entries["member"]).Message);
        Assert.That(Signature(entries["outsider"]).Reason, Is.EqualTo("UntrustedKey"), "a static entry is in no namespace: the scoped jku does not cover it");
    }

    [Test]
    public async Task UnsignedCard_IsLabelledUnsigned_AndASteadyCycleWritesNothing()
    {
        await using var agent = LoopbackServer.Json(Card);
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await h.WriteStaticAsync(("plain", agent.BaseUrl));

        await h.CycleAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var steady = await h.CycleAsync();
        var entry = await h.SingleAsync();

        Assert.That((Signature(entry).Status, Signature(entry).Reason), Is.EqualTo((ConditionStatus.Unknown, "Unsigned")));
        Assert.That(entry.Labels["agentlens.io/signed"], Is.EqualTo("unsigned"));
        Assert.That(steady.Counts.Updated + steady.Counts.Created, Is.Zero);
    }

    [Test]
    public async Task InvalidTrustRootsFile_KeepsTheLastGoodKeys_WithAnEventAndAMetric_AndARemovedFileMeansNoTrustRoots()
    {
        var (signed, jwks) = await A2aSdk.SignAsync(Card, ("RS256", "k1", null));
        await File.WriteAllTextAsync(trustFile, jwks);
        await using var agent = LoopbackServer.Json(signed);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Trust.JwksPath = trustFile);
        await h.WriteStaticAsync(("signed", agent.BaseUrl));
        long invalid = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "agentlens_trust_roots_invalid")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref invalid, value));
        listener.Start();
        await h.CycleAsync();

        await File.WriteAllTextAsync(trustFile, "{\"keys\": [ not json");
        File.SetLastWriteTimeUtc(trustFile, DateTime.UtcNow.AddSeconds(5));
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var withBrokenFile = await h.SingleAsync();
        var events = await Tenant.EventsAboutAsync(cp.Client, h.StoreNamespace, "agentlens-status");

        File.Delete(trustFile);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var withoutFile = await h.SingleAsync();

        Assert.That(Signature(withBrokenFile).Reason, Is.EqualTo("Verified"), "the last good keys stay in use");
        Assert.That(events.Single(e => e.Reason == "TrustRootsInvalid").Message, Does.Contain(trustFile).And.Contain("last good trust roots stay in use"));
        Assert.That(Interlocked.Read(ref invalid), Is.EqualTo(1));
        Assert.That((Signature(withoutFile).Status, Signature(withoutFile).Reason), Is.EqualTo((ConditionStatus.Unknown, "NoTrustRoots")));
        Assert.That(withoutFile.Labels["agentlens.io/signed"], Is.EqualTo("unverified"));
    }
}
