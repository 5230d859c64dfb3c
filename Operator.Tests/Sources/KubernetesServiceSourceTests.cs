using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace AgentLens.Operator.Tests.Sources;

[TestFixture]
public sealed class KubernetesServiceSourceTests
{
    private static KubernetesServiceSource Source(IServiceLister lister, Action<OperatorOptions>? configure = null)
    {
        var options = new OperatorOptions();
        configure?.Invoke(options);
        return new KubernetesServiceSource(lister, options.Sources(), TestMeterFactory.NewMetrics(), NullLogger<KubernetesServiceSource>.Instance);
    }

    private static V1Service Service(string name, Dictionary<string, string>? annotations, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "agents", Annotations = annotations },
        Spec = new V1ServiceSpec { Ports = ports.Length == 0 ? null : ports },
    };

    private static V1ServicePort Port(int port, string? name = null) => new() { Port = port, Name = name };

    private static DiscoveredAgent? Map(V1Service service, Action<OperatorOptions>? configure = null) =>
        Source(Mock.Of<IServiceLister>(), configure).TryMap(service);

    [Test]
    public void TryMap_AnnotatedService_BuildsTheClusterUrlFromTheHttpPort()
    {
        var agent = Map(Service("weather", new() { ["agentlens.io/type"] = "a2a" }, Port(9090, "metrics"), Port(8080, "http")));

        Assert.That(agent!.Endpoint, Is.EqualTo("http://weather.agents.svc.cluster.local:8080"));
        Assert.That(agent.CardUrls, Is.EqualTo(new[]
        {
            "http://weather.agents.svc.cluster.local:8080/.well-known/agent-card.json",
            "http://weather.agents.svc.cluster.local:8080/.well-known/agent.json",
        }));
        Assert.That(agent.Source, Is.EqualTo(new SourceRef { Type = SourceType.Kubernetes, Namespace = "agents", Name = "weather" }));
    }

    [Test]
    public void TryMap_ServiceWithoutTypeAnnotation_IsNotAnAgent() =>
        Assert.That(Map(Service("web", new() { ["other"] = "x" }, Port(80))), Is.Null);

    [TestCase("grpc")]
    [TestCase("")]
    [TestCase("A2A ")]
    public void TryMap_TypeAnnotation_IsReadStrictly(string type)
    {
        var agent = Map(Service("x", new() { ["agentlens.io/type"] = type }, Port(80)));

        Assert.That(agent?.Protocol, type == "A2A " ? Is.EqualTo(Protocol.A2a) : Is.Null);
    }

    [Test]
    public void TryMap_AllAnnotations_AreHonoured()
    {
        var agent = Map(Service("docs", new()
        {
            ["agentlens.io/type"] = "mcp",
            ["agentlens.io/port"] = "tools",
            ["agentlens.io/scheme"] = "https",
            ["agentlens.io/card-path"] = "/meta/card.json",
            ["agentlens.io/mcp-path"] = "/rpc",
            ["agentlens.io/tags"] = " search, docs ,search,,",
            ["agentlens.io/team"] = " platform ",
            ["agentlens.io/timeout"] = "3s",
        }, Port(80, "http"), Port(8443, "tools")), o => o.ClusterDomain = "corp.local");

        Assert.That(agent!.Endpoint, Is.EqualTo("https://docs.agents.svc.corp.local:8443/meta/card.json"), "a card path that is not well-known: the card URL is the identity");
        Assert.That(agent.CardUrls, Is.EqualTo(new[] { "https://docs.agents.svc.corp.local:8443/meta/card.json" }));
        Assert.That(agent.McpUrl, Is.EqualTo("https://docs.agents.svc.corp.local:8443/rpc"));
        Assert.That(agent.Tags, Is.EqualTo(new[] { "docs", "search" }));
        Assert.That(agent.Team, Is.EqualTo("platform"));
        Assert.That(agent.Timeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void TryMap_Port443_MeansHttps() =>
        Assert.That(Map(Service("s", new() { ["agentlens.io/type"] = "a2a" }, Port(443)))!.Endpoint, Is.EqualTo("https://s.agents.svc.cluster.local"));

    [Test]
    public void TryMap_NumericPortAnnotation_IsUsedAsIs() =>
        Assert.That(Map(Service("s", new() { ["agentlens.io/type"] = "a2a", ["agentlens.io/port"] = "7000" }, Port(80)))!.Endpoint, Does.EndWith(":7000"));

    [Test]
    public void TryMap_NoNamedPort_TakesTheFirst() =>
        Assert.That(Map(Service("s", new() { ["agentlens.io/type"] = "a2a" }, Port(5000, "grpc"), Port(6000, "web")))!.Endpoint, Does.EndWith(":5000"));

    [Test]
    public void TryMap_ExternalName_UsesTheExternalHost()
    {
        var service = Service("partner", new() { ["agentlens.io/type"] = "a2a", ["agentlens.io/scheme"] = "https" });
        service.Spec.Type = "ExternalName";
        service.Spec.ExternalName = "Agents.Partner.Example.";

        Assert.That(Map(service)!.Endpoint, Is.EqualTo("https://agents.partner.example"));
    }

    [TestCase("agentlens.io/port", "nope")]
    [TestCase("agentlens.io/port", "70000")]
    [TestCase("agentlens.io/scheme", "ftp")]
    [TestCase("agentlens.io/timeout", "soon")]
    [TestCase("agentlens.io/timeout", "0s")]
    public void TryMap_BadAnnotation_SkipsTheService(string key, string value) =>
        Assert.That(Map(Service("s", new() { ["agentlens.io/type"] = "a2a", [key] = value }, Port(80, "http"))), Is.Null);

    [Test]
    public void TryMap_NoPorts_SkipsTheService() =>
        Assert.That(Map(Service("s", new() { ["agentlens.io/type"] = "a2a" })), Is.Null);

    [Test]
    public async Task DiscoverAsync_FollowsContinueTokensAcrossPages()
    {
        var lister = new Mock<IServiceLister>();
        var annotated = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a" };
        lister.Setup(l => l.ListAsync(null, null, AgentLens.Operator.Domain.ListPages.Size, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ServicePage([Service("a", annotated, Port(80))], "page-2"));
        lister.Setup(l => l.ListAsync(null, null, AgentLens.Operator.Domain.ListPages.Size, "page-2", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ServicePage([Service("b", annotated, Port(80)), Service("plain", null, Port(80))], null));

        var agents = await Source(lister.Object).DiscoverAsync(CancellationToken.None);

        Assert.That(agents.Select(a => a.Source.Name), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task DiscoverAsync_ListsOnlyTheConfiguredNamespacesWithTheSelector()
    {
        var lister = new Mock<IServiceLister>();
        lister.Setup(l => l.ListAsync(It.IsAny<string?>(), "team=x", It.IsAny<int>(), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ServicePage([], null));

        await Source(lister.Object, o => { o.Namespaces = ["one", "two"]; o.LabelSelector = "team=x"; }).DiscoverAsync(CancellationToken.None);

        lister.Verify(l => l.ListAsync("one", "team=x", It.IsAny<int>(), null, It.IsAny<CancellationToken>()), Times.Once);
        lister.Verify(l => l.ListAsync("two", "team=x", It.IsAny<int>(), null, It.IsAny<CancellationToken>()), Times.Once);
        lister.Verify(l => l.ListAsync(null, It.IsAny<string?>(), It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void DiscoverAsync_UnreachableApiServer_IsASourceError()
    {
        var lister = new Mock<IServiceLister>();
        lister.Setup(l => l.ListAsync(It.IsAny<string?>(), It.IsAny<string?>(), It.IsAny<int>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("connection refused"));

        var e = Assert.ThrowsAsync<SourceException>(() => Source(lister.Object).DiscoverAsync(CancellationToken.None));

        Assert.That(e!.Reason, Is.EqualTo("Unavailable"));
    }

    [TestCase("/agents/one/.well-known/agent-card.json", null, "http://gw.agents.svc.cluster.local:8080/agents/one")]
    [TestCase("/api/a2a/team/weather/.well-known/agent.json", null, "http://gw.agents.svc.cluster.local:8080/api/a2a/team/weather")]
    [TestCase("/.well-known/agent-card.json", null, "http://gw.agents.svc.cluster.local:8080")]
    [TestCase("/cards/weather.json", null, "http://gw.agents.svc.cluster.local:8080/cards/weather.json")]
    [TestCase(null, "/agents/two/", "http://gw.agents.svc.cluster.local:8080/agents/two")]
    public void TryMap_IdentityIncludesTheAgentsPath(string? cardPath, string? path, string expected)
    {
        var annotations = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a" };
        if (cardPath is not null)
        {
            annotations["agentlens.io/card-path"] = cardPath;
        }

        if (path is not null)
        {
            annotations["agentlens.io/path"] = path;
        }

        var agent = Map(Service("gw", annotations, Port(8080, "http")));

        Assert.That(agent!.Endpoint, Is.EqualTo(expected));
        Assert.That(agent.CardUrls[0], Does.StartWith(expected), "the card is looked for under the agent's own path");
    }

    private static V1Service In(string ns, string name, string? externalName = null, string? clusterIp = null, params string[] clusterIps) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Annotations = externalName is null ? null : new Dictionary<string, string> { ["agentlens.io/type"] = "a2a", ["agentlens.io/port"] = "8080" },
        },
        Spec = externalName is null
            ? new V1ServiceSpec { ClusterIP = clusterIp, ClusterIPs = clusterIps.Length == 0 ? null : clusterIps, Ports = [Port(80)] }
            : new V1ServiceSpec { Type = "ExternalName", ExternalName = externalName },
    };

    private static async Task<(IReadOnlyList<DiscoveredAgent> Agents, IReadOnlyList<Rejection> Rejections)> DiscoverTeamAAsync(string externalName, Action<OperatorOptions>? configure = null)
    {
        var lister = new Mock<IServiceLister>();
        // team-a's announcement lists before team-b's Service: the ClusterIP map must cover the whole list.
        lister.Setup(l => l.ListAsync(null, null, ListPages.Size, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ServicePage([In("team-a", "a1", externalName)], "page-2"));
        lister.Setup(l => l.ListAsync(null, null, ListPages.Size, "page-2", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ServicePage([In("team-a", "own", clusterIp: "10.0.0.14"), In("team-b", "b1", null, "10.0.0.15", "10.0.0.15", "fd00::15"), In("com", "example", clusterIp: "None")], null));
        var source = Source(lister.Object, configure);
        var agents = await source.DiscoverAsync(CancellationToken.None);
        return (agents, source.Rejections);
    }

    [TestCase("b1.team-b")]
    [TestCase("B1.Team-B.")]
    [TestCase("pod-0.b1.team-b")]
    [TestCase("b1.team-b.svc")]
    [TestCase("b1.team-b.svc.")]
    [TestCase("b1.team-b.svc.cluster.local")]
    [TestCase("B1.TEAM-B.SVC.CLUSTER.LOCAL.")]
    [TestCase("10.0.0.15")]
    [TestCase("167772175")]
    [TestCase("0x0a00000f")]
    [TestCase("10.15")]
    [TestCase("fd00::15")]
    [TestCase("FD00:0:0:0::0015")]
    [TestCase("::ffff:10.0.0.15")]
    public async Task DiscoverAsync_AnExternalNameLeadingIntoAnotherNamespace_IsRefusedByName(string externalName)
    {
        var (agents, rejections) = await DiscoverTeamAAsync(externalName);

        Assert.That(agents, Is.Empty, $"{externalName} leads into team-b");
        var rejection = rejections.Single();
        Assert.That(rejection.Reason, Is.EqualTo("CrossNamespaceTarget"));
        Assert.That(rejection.Message, Does.Contain("namespace team-b").And.Contain("CrossNamespaceTarget"));
        Assert.That(rejection.Source.Name, Is.EqualTo("a1"));
    }

    [TestCase("b1.team-b.svc.corp.local")]
    [TestCase("b1.team-b.svc.cluster.local")]
    public async Task DiscoverAsync_AnotherClusterDomain_RefusesTheConfiguredAndTheDefaultOne(string externalName)
    {
        var (agents, rejections) = await DiscoverTeamAAsync(externalName, o => o.ClusterDomain = "corp.local");

        Assert.That(agents, Is.Empty);
        Assert.That(rejections.Single().Reason, Is.EqualTo("CrossNamespaceTarget"));
    }

    [TestCase("own")]
    [TestCase("own.team-a")]
    [TestCase("own.team-a.svc.cluster.local")]
    [TestCase("10.0.0.14")]
    [TestCase("agents.partner.example")]
    [TestCase("10.0.0.99")]
    public async Task DiscoverAsync_AnExternalNameStayingHomeOrOutside_IsKept(string externalName)
    {
        var (agents, rejections) = await DiscoverTeamAAsync(externalName);

        Assert.That(rejections, Is.Empty);
        Assert.That(agents, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DiscoverAsync_CrossNamespaceAllowed_KeepsTheShortForm()
    {
        var (agents, rejections) = await DiscoverTeamAAsync("b1.team-b", o => o.Crawl.AllowCrossNamespaceExternalName = true);

        Assert.That(rejections, Is.Empty);
        Assert.That(agents.Single().Endpoint, Is.EqualTo("http://b1.team-b:8080"));
    }
}
