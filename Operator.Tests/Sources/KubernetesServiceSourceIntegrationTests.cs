using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Tests.Sources;

[TestFixture]
[Category("Integration")]
public sealed class KubernetesServiceSourceIntegrationTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static KubernetesServiceSource Source(IKubernetes client, params string[] namespaces) => new(
        new KubernetesServiceLister(client),
        new OperatorOptions { Namespaces = [.. namespaces] }.Sources(),
        TestMeterFactory.NewMetrics(),
        NullLogger<KubernetesServiceSource>.Instance);

    private static V1Service Service(string name, Dictionary<string, string>? annotations, string portName = "http", int port = 8080) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = portName, Port = port }] },
    };

    [Test]
    public async Task DiscoverAsync_MoreThanOnePageOfServices_FindsEveryAnnotatedOne()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "page");
        var annotated = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a" };
        // 620 Services (more than one page of 500), every third not an agent.
        await Parallel.ForEachAsync(Enumerable.Range(0, 620), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await cp.Client.CoreV1.CreateNamespacedServiceAsync(Service($"svc-{i}", i % 3 == 0 ? null : annotated), ns, cancellationToken: ct));

        var agents = await Source(cp.Client, ns).DiscoverAsync(CancellationToken.None);

        Assert.That(agents, Has.Count.EqualTo(620 - 207));
        Assert.That(agents.Select(a => a.Endpoint).Distinct().Count(), Is.EqualTo(agents.Count));
    }

    [Test]
    public async Task DiscoverAsync_SeveralNamespacesAndEveryVariant_MapsEachService()
    {
        var a = await TestNamespaces.CreateAsync(cp.Client, "variants-a");
        var b = await TestNamespaces.CreateAsync(cp.Client, "variants-b");
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(Service("weather", new() { ["agentlens.io/type"] = "a2a", ["agentlens.io/team"] = "wx", ["agentlens.io/tags"] = "b,a" }), a);
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(Service("tools", new() { ["agentlens.io/type"] = "mcp", ["agentlens.io/port"] = "rpc" }, "rpc", 3000), b);
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(Service("ui", new() { ["agentlens.io/type"] = "a2ui", ["agentlens.io/card-path"] = "/ui.json" }, "web", 443), b);
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(Service("bogus", new() { ["agentlens.io/type"] = "soap" }), b);
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "partner", Annotations = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a", ["agentlens.io/port"] = "8443", ["agentlens.io/scheme"] = "https" } },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "agents.partner.example" },
        }, a);

        var agents = (await Source(cp.Client, a, b).DiscoverAsync(CancellationToken.None)).ToDictionary(x => x.Source.Name);

        Assert.That(agents.Keys, Is.EquivalentTo(new[] { "weather", "tools", "ui", "partner" }));
        Assert.That(agents["weather"].Endpoint, Is.EqualTo($"http://weather.{a}.svc.cluster.local:8080"));
        Assert.That(agents["weather"].Tags, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(agents["tools"].McpUrl, Is.EqualTo($"http://tools.{b}.svc.cluster.local:3000/mcp"));
        Assert.That(agents["ui"].CardUrls, Is.EqualTo(new[] { $"https://ui.{b}.svc.cluster.local/ui.json" }));
        Assert.That(agents["partner"].Endpoint, Is.EqualTo("https://agents.partner.example:8443"));
    }

    [Test]
    public async Task DiscoverAsync_ANamespaceThatCannotBeListed_FailsTheWholeSource()
    {
        var allowed = await TestNamespaces.CreateAsync(cp.Client, "rbac-ok");
        var denied = await TestNamespaces.CreateAsync(cp.Client, "rbac-denied");
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(Service("visible", new() { ["agentlens.io/type"] = "a2a" }), allowed);
        await TestRbac.GrantAsync(cp.Client, allowed, "list-services", "discoverer", TestRbac.Rule("services", "list"));
        var (client, _) = await cp.ServiceAccountClientAsync(allowed, "discoverer");
        using var _ = client;

        var onlyAllowed = await Source(client, allowed).DiscoverAsync(CancellationToken.None);
        var e = Assert.ThrowsAsync<SourceException>(() => Source(client, allowed, denied).DiscoverAsync(CancellationToken.None));

        Assert.That(onlyAllowed.Select(x => x.Source.Name), Is.EqualTo(new[] { "visible" }));
        Assert.That(e!.Reason, Is.EqualTo("Forbidden"));
        Assert.That(e.Message, Does.Contain(denied));
    }
}
