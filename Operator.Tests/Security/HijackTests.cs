using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Attack 2: a tenant announces an agent that another team's entry already holds. The owner keeps its entry
/// untouched; the claimant is told why with a DuplicateAgent (or CrossNamespaceTarget) Warning Event on its
/// own Service, and nothing of its card reaches the catalog.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class HijackTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    [Test]
    public async Task ExternalNameNamingAnotherNamespacesService_IsRefused()
    {
        var demo = await TestNamespaces.CreateAsync(cp.Client, "demo");
        var evil = await TestNamespaces.CreateAsync(cp.Client, "aaa-evil");
        await using var weather = new SwitchableAgent("Weather", "forecast");
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Namespaces = [demo, evil], servicesNamespace: demo);
        await Tenant.AnnounceAsync(cp.Client, demo, "weather", "127.0.0.1", new Uri(weather.BaseUrl).Port);
        await h.CycleAsync();
        var before = await h.SingleAsync();

        await Tenant.AnnounceAsync(cp.Client, evil, "weather", $"weather.{demo}.svc.cluster.local", new Uri(weather.BaseUrl).Port);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();

        var after = await h.SingleAsync();
        Assert.That(after.ResourceVersion, Is.EqualTo(before.ResourceVersion), "the owner's entry is not touched");
        Assert.That(after.Entry!.Spec.Source.Namespace, Is.EqualTo(demo));
        var refusal = (await Tenant.EventsAboutAsync(cp.Client, evil, "weather")).Single();
        Assert.That(refusal.Reason, Is.EqualTo("CrossNamespaceTarget"));
        Assert.That(refusal.Type, Is.EqualTo("Warning"));
        Assert.That(refusal.Message, Does.Contain(demo));
    }

    [Test]
    public async Task AShortNameOrTheClusterIpOfAnotherNamespacesService_IsRefused_WithAnEventNamingTheRule()
    {
        var victim = await TestNamespaces.CreateAsync(cp.Client, "team-b");
        var tenant = await TestNamespaces.CreateAsync(cp.Client, "team-a");
        var backend = await cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "b1" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        }, victim);
        var ip = System.Net.IPAddress.Parse(backend.Spec.ClusterIP);
        var decimalForm = BitConverter.ToUInt32([.. ip.GetAddressBytes().Reverse()]).ToString(CultureInfo.InvariantCulture);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Namespaces = [victim, tenant], servicesNamespace: tenant);
        // Resolved through the DNS search path (svc.cluster.local), and the ClusterIP as the API server allows it.
        await Tenant.AnnounceAsync(cp.Client, tenant, "short", $"b1.{victim}", 80);
        await Tenant.AnnounceAsync(cp.Client, tenant, "by-ip", backend.Spec.ClusterIP, 80);
        await Tenant.AnnounceAsync(cp.Client, tenant, "by-decimal-ip", decimalForm, 80);

        var report = await h.CycleAsync();

        Assert.That(report.Result, Is.EqualTo("success"));
        Assert.That(await h.Store.ListAsync(CancellationToken.None), Is.Empty, "nothing is crawled or written for them");
        foreach (var name in new[] { "short", "by-ip", "by-decimal-ip" })
        {
            var refusal = (await Tenant.EventsAboutAsync(cp.Client, tenant, name)).Single();
            Assert.That(refusal.Reason, Is.EqualTo("CrossNamespaceTarget"), name);
            Assert.That(refusal.Type, Is.EqualTo("Warning"));
            Assert.That(refusal.Message, Does.Contain($"namespace {victim}").And.Contain("rule CrossNamespaceTarget"), name);
        }
    }

    [Test]
    public async Task LaterServiceInANamespaceThatSortsFirst_GetsDuplicateAgent_AndTheOwnerIsUnaffected()
    {
        var demo = await TestNamespaces.CreateAsync(cp.Client, "demo");
        var evil = await TestNamespaces.CreateAsync(cp.Client, "aaa-evil");
        var secret = Tenant.Secret();
        await using var weather = new SwitchableAgent("Weather", "forecast");
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Namespaces = [demo, evil], servicesNamespace: demo);
        var port = new Uri(weather.BaseUrl).Port;
        await Tenant.AnnounceAsync(cp.Client, demo, "weather", "127.0.0.1", port, new() { ["agentlens.io/team"] = "demo-team" });
        await h.CycleAsync();
        var before = await h.SingleAsync();

        // The same endpoint from a Service created later, in a namespace listed first.
        await Tenant.AnnounceAsync(cp.Client, evil, "weather", "127.0.0.1", port, new() { ["agentlens.io/team"] = secret });
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var report = await h.CycleAsync();

        Assert.That(report.Result, Is.EqualTo("success"));
        var after = await h.SingleAsync();
        Assert.That(after.ResourceVersion, Is.EqualTo(before.ResourceVersion), "the owner's entry is not touched");
        Assert.That(after.Entry!.Spec.Source, Is.EqualTo(new SourceRef { Type = SourceType.Kubernetes, Namespace = demo, Name = "weather" }));
        var duplicate = (await Tenant.EventsAboutAsync(cp.Client, evil, "weather")).Single();
        Assert.That(duplicate.Reason, Is.EqualTo("DuplicateAgent"));
        Assert.That(duplicate.Type, Is.EqualTo("Warning"));
        Assert.That(duplicate.Message, Does.Contain($"Service {demo}/weather").And.Contain(after.Name));
        Assert.That(h.Logs.Lines, Has.Some.Contains("DuplicateAgent"));
        Assert.That(await Tenant.EventsAboutAsync(cp.Client, demo, "weather"), Is.Empty, "the owner hears nothing");
        await Tenant.AssertNowhereAsync(cp.Client, secret, new CapturedLogs(), h.StoreNamespace);
    }

    [Test]
    public async Task OwnerRenamedWithinItsNamespace_TakesItsEntryWithIt()
    {
        await using var weather = new SwitchableAgent("Weather", "forecast");
        using var h = await ReconcilerHarness.CreateAsync(cp);
        var port = new Uri(weather.BaseUrl).Port;
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "weather", "127.0.0.1", port);
        await h.CycleAsync();
        var before = await h.SingleAsync();

        // kube-apiserver 1.20 answers a Service delete with a Status the client cannot read as a Service.
        await Tools.KubectlAsync(cp.KubeconfigPath, "delete", "service", "weather", "--namespace", h.ServicesNamespace);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "weather-v2", "127.0.0.1", port);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();

        var after = await h.SingleAsync();
        Assert.That(after.Name, Is.EqualTo(before.Name), "the same entry, not a new one");
        Assert.That(after.Entry!.Spec.Source.Name, Is.EqualTo("weather-v2"));
        Assert.That(after.Entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
    }
}
