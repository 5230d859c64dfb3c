using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;
using Moq;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>Whole cycles against the real API server with real loopback agents, on a fake clock.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class ReconcilerIntegrationTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static string[] Skills(StoredEntry entry) =>
        [.. entry.Entry!.Status.Capabilities.Where(c => c.Kind == CapabilityKinds.A2aSkill).Select(c => c.Name)];

    [Test]
    public async Task Lifecycle_CreateUpdateDegradedOfflineRecoveredDeleted()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("Weather", "forecast");
        await h.WriteStaticAsync(("weather", agent.BaseUrl));

        await h.CycleAsync();
        var created = await h.SingleAsync();
        Assert.That(created.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(created.Labels[Annotations.LifecycleLabel], Is.EqualTo("Active"));
        Assert.That(Skills(created), Is.EqualTo(new[] { "forecast" }));

        agent.Serve("Weather", "forecast", "alerts");
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var updated = await h.SingleAsync();
        Assert.That(Skills(updated), Is.EqualTo(new[] { "forecast", "alerts" }));
        Assert.That(updated.ResourceVersion, Is.Not.EqualTo(created.ResourceVersion));

        agent.Fail();
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var degraded = await h.SingleAsync();
        Assert.That(degraded.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Degraded));
        Assert.That(Skills(degraded), Is.EqualTo(new[] { "forecast", "alerts" }), "the last good capabilities are kept");
        Assert.That(degraded.Entry.Status.LastError, Does.Contain("503"));

        for (var i = 0; i < 2; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(5));
            await h.CycleAsync();
        }

        var offline = await h.SingleAsync();
        Assert.That(offline.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Offline));
        Assert.That(offline.Labels[Annotations.LifecycleLabel], Is.EqualTo("Offline"));

        agent.Serve("Weather", "forecast", "alerts");
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var recovered = await h.SingleAsync();
        Assert.That(recovered.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(recovered.Entry.Status.ConsecutiveFailures, Is.Zero);

        await h.WriteStaticAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        var gone = await h.SingleAsync();
        Assert.That(gone.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Offline));
        Assert.That(gone.Entry.Status.Conditions.Single(c => c.Type == ConditionTypes.Discovered).Reason, Is.EqualTo("NotDiscovered"));

        h.Clock.Advance(TimeSpan.FromHours(23));
        await h.CycleAsync();
        Assert.That(await h.EntriesAsync(), Has.Count.EqualTo(1), "kept within the retention period");

        h.Clock.Advance(TimeSpan.FromHours(1));
        var report = await h.CycleAsync();
        Assert.That(await h.EntriesAsync(), Is.Empty);
        Assert.That(report.Counts.Deleted, Is.EqualTo(1));
    }

    [Test]
    public async Task SteadyState_PerformsZeroWrites()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var a = new SwitchableAgent("A", "one");
        await using var b = new SwitchableAgent("B", "two");
        await using var dead = new SwitchableAgent("Dead");
        dead.Fail(500);
        await h.WriteStaticAsync(("a", a.BaseUrl), ("b", b.BaseUrl), ("dead", dead.BaseUrl));
        for (var i = 0; i < 4; i++)
        {
            // Enough cycles for the dead agent to settle Offline.
            await h.CycleAsync();
            h.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        var before = (await h.EntriesAsync()).ToDictionary(e => e.Key, e => e.Value.ResourceVersion);
        var reports = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(5));
            reports.Add((await h.CycleAsync()).Counts.Writes);
        }

        var after = (await h.EntriesAsync()).ToDictionary(e => e.Key, e => e.Value.ResourceVersion);
        Assert.That(after, Is.EqualTo(before));
        Assert.That(reports, Is.All.Zero);
        Assert.That(after, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task SourceDeniedByRbac_MarksNothingOffline_AndTheNextGoodCycleCarriesOn()
    {
        using var admin = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("Svc", "s1");
        await using var stat = new SwitchableAgent("Static", "s2");
        await admin.AnnounceAsync(cp.Client, "svc-agent", agent.BaseUrl);
        await admin.WriteStaticAsync(("static", stat.BaseUrl));
        await admin.CycleAsync();
        var before = await admin.EntriesAsync();
        Assert.That(before.Values.Select(e => e.Entry!.Spec.Source.Type), Is.EquivalentTo(new[] { SourceType.Kubernetes, SourceType.Static }));

        // The same catalog, reconciled by an identity that may manage ConfigMaps but not list Services.
        var (client, _) = await CatalogOnlyClientAsync(admin.StoreNamespace);
        using var _ = client;
        using var denied = await ReconcilerHarness.CreateAsync(cp, client: client, storeNamespace: admin.StoreNamespace, servicesNamespace: admin.ServicesNamespace);
        await File.WriteAllTextAsync(denied.StaticPath, await File.ReadAllTextAsync(admin.StaticPath));
        stat.Serve("Static", "s2", "s3");
        denied.Clock.Advance(TimeSpan.FromMinutes(5));
        var report = await denied.CycleAsync();

        var after = await denied.EntriesAsync();
        var kube = after.Values.Single(e => e.Entry!.Spec.Source.Type == SourceType.Kubernetes);
        Assert.That(report.Result, Is.EqualTo("partial"));
        Assert.That(report.Sources.Single(s => s.Name == "kubernetes").Reason, Is.EqualTo("Forbidden"));
        Assert.That(kube.ResourceVersion, Is.EqualTo(before[kube.Name].ResourceVersion), "the failed source's entry is untouched");
        Assert.That(Skills(after.Values.Single(e => e.Entry!.Spec.Source.Type == SourceType.Static)), Is.EqualTo(new[] { "s2", "s3" }), "the other source carries on");

        admin.Clock.Advance(TimeSpan.FromMinutes(10));
        var good = await admin.CycleAsync();
        Assert.That(good.Result, Is.EqualTo("success"));
        Assert.That((await admin.EntriesAsync()).Values.All(e => e.Entry!.Status.Lifecycle == Lifecycle.Active), Is.True);
    }

    private async Task<(IKubernetes Client, string Token)> CatalogOnlyClientAsync(string storeNamespace)
    {
        await TestRbac.GrantAsync(cp.Client, storeNamespace, "catalog-writer", "catalog-only",
            TestRbac.Rule("configmaps", "get", "list", "create", "update", "patch", "delete"),
            TestRbac.Rule("events", "create", "patch"));
        return await cp.ServiceAccountClientAsync(storeNamespace, "catalog-only");
    }

    [Test]
    public async Task ApiServerStoppedBeforeACycle_FailsTheCycle_LosesNothing()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("A", "one");
        await h.WriteStaticAsync(("a", agent.BaseUrl));
        await h.CycleAsync();
        var before = await h.SingleAsync();

        await cp.StopApiServerAsync();
        CycleReportAndError failed;
        try
        {
            h.Clock.Advance(TimeSpan.FromMinutes(5));
            var report = await h.CycleAsync();
            failed = new(report.Result, report.Error);
        }
        finally
        {
            await cp.StartApiServerAsync();
        }

        Assert.That(failed.Result, Is.EqualTo("failure"));
        Assert.That(failed.Error, Does.Contain("cannot list the catalog"));
        Assert.That((await h.SingleAsync()).ResourceVersion, Is.EqualTo(before.ResourceVersion));
    }

    [Test]
    public async Task ApiServerStoppedMidCycle_LosesNothing_AndTheNextCycleCarriesOn()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("A", "one");
        await h.WriteStaticAsync(("a", agent.BaseUrl));
        await h.CycleAsync();
        var before = await h.SingleAsync();

        // The card changes, and the API server goes away while the cycle is crawling it.
        agent.Serve("A", "one", "two");
        agent.OnNextRequest(cp.StopApiServerAsync);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        CycleReportAndError failed;
        try
        {
            var report = await h.CycleAsync();
            failed = new(report.Result, report.Error);
        }
        finally
        {
            await cp.StartApiServerAsync();
        }

        Assert.That(failed.Result, Is.EqualTo("failure"));
        Assert.That(failed.Error, Does.Contain("write(s) failed"));
        var untouched = await h.SingleAsync();
        Assert.That(untouched.ResourceVersion, Is.EqualTo(before.ResourceVersion));
        Assert.That(Skills(untouched), Is.EqualTo(new[] { "one" }));

        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var next = await h.CycleAsync();
        Assert.That(next.Result, Is.EqualTo("success"));
        Assert.That(Skills(await h.SingleAsync()), Is.EqualTo(new[] { "one", "two" }));
    }

    private sealed record CycleReportAndError(string Result, string? Error);

    [Test]
    public async Task Restart_ANewReconcilerContinuesFromTheStoredCatalogWithoutRewritingIt()
    {
        using var first = await ReconcilerHarness.CreateAsync(cp);
        await using var a = new SwitchableAgent("A", "one");
        await using var b = new SwitchableAgent("B", "two");
        await first.WriteStaticAsync(("a", a.BaseUrl), ("b", b.BaseUrl));
        await first.CycleAsync();
        var before = (await first.EntriesAsync()).ToDictionary(e => e.Key, e => e.Value.ResourceVersion);

        using var second = await ReconcilerHarness.CreateAsync(cp, storeNamespace: first.StoreNamespace, servicesNamespace: first.ServicesNamespace);
        await File.WriteAllTextAsync(second.StaticPath, await File.ReadAllTextAsync(first.StaticPath));
        second.Clock.Advance(TimeSpan.FromMinutes(1));
        var report = await second.CycleAsync();

        Assert.That(report.Counts.Writes, Is.Zero);
        Assert.That((await second.EntriesAsync()).ToDictionary(e => e.Key, e => e.Value.ResourceVersion), Is.EqualTo(before));
    }

    [Test]
    public async Task TwoSourcesSameEndpoint_MakeOneEntry_KubernetesWinsOverStatic()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("Both", "x");
        await h.AnnounceAsync(cp.Client, "both", agent.BaseUrl);
        await h.WriteStaticAsync(("both-static", agent.BaseUrl));

        await h.CycleAsync();

        var entry = await h.SingleAsync();
        Assert.That(entry.Entry!.Spec.Source.Type, Is.EqualTo(SourceType.Kubernetes));
    }

    [Test]
    public async Task StatusObject_IsWrittenOncePerCycle()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await h.WriteStaticAsync();
        var report = await h.CycleAsync();

        await h.Reconciler.WriteStatusAsync(report, "me", CancellationToken.None);

        var status = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync(CatalogNames.StatusConfigMap, h.StoreNamespace);
        Assert.That(status.Data[CatalogNames.StatusKey], Does.Contain("\"result\":\"success\"").And.Contain("\"leader\":\"me\""));
    }

    [Test]
    public async Task AgentStillInFlightWhenTheCycleBudgetEnds_KeepsItsEntryUntouched_AndTheOthersAreWritten()
    {
        await using var stuck = new SwitchableAgent("Stuck", "before");
        await using var fresh = new SwitchableAgent("Fresh", "f");
        // One step of the stuck agent's crawl ignores its token and never ends, once the test says so.
        var hang = false;
        var never = new TaskCompletionSource<SignatureVerdict>();
        var verifier = new Mock<ISignatureVerifier>();
        verifier.Setup(v => v.VerifyAsync(It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<DiscoveredAgent>(), It.IsAny<CancellationToken>()))
            .Returns((ReadOnlyMemory<byte> _, DiscoveredAgent a, CancellationToken _) => Volatile.Read(ref hang) && a.Endpoint == AgentEndpoint.Normalize(stuck.BaseUrl)
                ? never.Task
                : Task.FromResult(new SignatureVerdict(ConditionStatus.False, SignatureVerdict.Unsigned, "unsigned")));
        using var h = await ReconcilerHarness.CreateAsync(cp, o =>
        {
            o.Crawl.AgentBudget = TimeSpan.FromSeconds(1);
            o.Crawl.CycleBudget = TimeSpan.FromSeconds(2);
        }, crawlVerifier: verifier.Object);
        await h.WriteStaticAsync(("stuck", stuck.BaseUrl));
        await h.CycleAsync();
        var before = await h.SingleAsync();
        stuck.Serve("Stuck", "after");
        await h.WriteStaticAsync(("stuck", stuck.BaseUrl), ("fresh", fresh.BaseUrl));
        Volatile.Write(ref hang, true);

        // The bound only stops a hung test: before the fix the cycle waited for the stuck agent for ever.
        var report = await h.CycleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var entries = (await h.EntriesAsync()).Values.ToList();
        var kept = entries.Single(e => e.Name == before.Name);
        Assert.That(kept.ResourceVersion, Is.EqualTo(before.ResourceVersion), "the deferred agent's entry is not written");
        Assert.That(Skills(kept), Is.EqualTo(new[] { "before" }));
        Assert.That(entries.Where(e => e.Name != before.Name).Select(e => e.Entry!.Status.DisplayName), Is.EqualTo(new[] { "Fresh" }), "the other agent is written in the same cycle");
        Assert.That(report.Counts.Created, Is.EqualTo(1));
        never.SetResult(new SignatureVerdict(ConditionStatus.True, SignatureVerdict.Verified, "late"));
    }
}
