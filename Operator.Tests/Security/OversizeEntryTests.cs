using System.Net;
using System.Text;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;
using k8s.Autorest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Attack 4: a card under the fetch cap that would become an entry the API server refuses, failing every
/// cycle for everyone. Entries are bounded by construction; a write that is refused anyway is that agent's
/// failure, reported on its own Service, and the cycle still succeeds.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class OversizeEntryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static string ManySkillsCard(int count)
    {
        var card = new StringBuilder("""{"name":"Many","skills":[""");
        for (var i = 0; i < count; i++)
        {
            card.Append(i == 0 ? string.Empty : ",").Append("{\"id\":\"").Append(i.ToString("x", CultureInfo.InvariantCulture)).Append("\"}");
        }

        return card.Append("]}").ToString();
    }

    [Test]
    public async Task CardWith19024SmallSkills_BecomesATruncatedEntry_AndTheCycleSucceeds()
    {
        var card = ManySkillsCard(19_024);
        Assert.That(Encoding.UTF8.GetByteCount(card), Is.LessThan(256 * 1024), "the card itself is under the fetch cap");
        await using var agent = LoopbackServer.Json(card);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Store.StoreRawCard = true);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "many", "127.0.0.1", agent.Port);

        var report = await h.CycleAsync();

        Assert.That(report.Result, Is.EqualTo("success"));
        var stored = await h.SingleAsync();
        var entry = stored.Entry!;
        Assert.That(entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(entry.Status.Capabilities, Has.Length.EqualTo(EntryLimits.MaxCapabilities));
        var truncated = entry.Status.Conditions.Single(c => c.Type == ConditionTypes.Truncated);
        Assert.That(truncated.Status, Is.EqualTo(ConditionStatus.True));
        Assert.That(truncated.Message, Does.Contain("19024"));
        Assert.That(Encoding.UTF8.GetByteCount(stored.Json!), Is.LessThanOrEqualTo(EntryLimits.MaxEntryBytes));

        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();
        Assert.That((await h.SingleAsync()).ResourceVersion, Is.EqualTo(stored.ResourceVersion), "a truncated entry is stable: no write per cycle");
    }

    [Test]
    public void TenThousandToolsWithNonAsciiText_FitTheEntryCap_WrittenAsUtf8()
    {
        var planner = new CatalogPlanner(3, TimeSpan.FromHours(24), "catalog");
        var description = string.Concat(Enumerable.Repeat("天気予報と警報", 300));
        var tools = Enumerable.Range(0, 10_000)
            .Select(i => new Capability { Kind = CapabilityKinds.McpTool, Name = $"tool-{i}-{description[..40]}", Description = description })
            .ToImmutableArray();
        var agent = new DiscoveredAgent
        {
            Protocol = Protocol.Mcp,
            Endpoint = "http://tools.agents.svc.cluster.local:8080",
            CardUrls = ["http://tools.agents.svc.cluster.local:8080/.well-known/mcp/server-card.json"],
            Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "agents", Name = "tools" },
        };
        var crawl = new CardFetched(new ParsedCard { DisplayName = "天気", Capabilities = tools }, agent.CardUrls[0], "sha256:x", null, null, ReadOnlyMemory<byte>.Empty);

        var create = (CreateEntry)planner.Plan(null, agent, crawl, false, T0)!;

        var json = CatalogJson.SerializeToString(create.Entry);
        Assert.That(Encoding.UTF8.GetByteCount(json), Is.LessThanOrEqualTo(EntryLimits.MaxEntryBytes));
        Assert.That(json, Does.Contain("天気予報").And.Not.Contain("\\u5929"), "non-ASCII text is stored as UTF-8, not 6-byte escapes");
        Assert.That(json, Does.Not.Contain("\n  "), "compact, not indented");
        Assert.That(create.Entry.Status.Capabilities.Length, Is.InRange(1, EntryLimits.MaxCapabilities - 1));
        Assert.That(create.Entry.Status.Capabilities[0].Description!.Length, Is.LessThanOrEqualTo(EntryLimits.MaxCapabilityDescriptionChars));
        Assert.That(create.Entry.Status.Conditions.Single(c => c.Type == ConditionTypes.Truncated).Status, Is.EqualTo(ConditionStatus.True));
    }

    [Test]
    public async Task WriteTheApiServerRefuses_IsThatAgentsFailure_NotTheCycles()
    {
        var agent = new DiscoveredAgent
        {
            Protocol = Protocol.A2a,
            Endpoint = "http://big.team-a.svc.cluster.local:8080",
            CardUrls = ["http://big.team-a.svc.cluster.local:8080/.well-known/agent-card.json"],
            Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "team-a", Name = "big" },
            SourceUid = "uid-big",
        };
        var source = new Mock<IAgentSource>();
        source.SetupGet(s => s.Name).Returns("kubernetes");
        source.SetupGet(s => s.Type).Returns(SourceType.Kubernetes);
        source.SetupGet(s => s.Rejections).Returns([]);
        source.Setup(s => s.DiscoverAsync(It.IsAny<CancellationToken>())).ReturnsAsync([agent]);
        var crawler = new Mock<ICrawler>();
        crawler.Setup(c => c.CrawlAsync(It.IsAny<IReadOnlyList<CrawlRequest>>(), It.IsAny<Func<CrawlResult, CancellationToken, Task>?>(), It.IsAny<CancellationToken>())).ReturnsAsync([
            new CrawlResult(agent, new CardFetched(new ParsedCard { DisplayName = "Big" }, agent.CardUrls[0], "sha256:b", null, null, ReadOnlyMemory<byte>.Empty), TimeSpan.Zero),
        ]);
        var store = new Mock<ICatalogStore>();
        store.SetupGet(s => s.Namespace).Returns("catalog");
        store.Setup(s => s.ListAsync(It.IsAny<CancellationToken>())).ReturnsAsync([]);
        store.Setup(s => s.CreateAsync(It.IsAny<string>(), It.IsAny<AgentType>(), It.IsAny<ReadOnlyMemory<byte>?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpOperationException("refused") { Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.RequestEntityTooLarge), "too large") });
        var events = new Mock<IEventRecorder>();
        var reconciler = new Reconciler(store.Object, [source.Object], crawler.Object, events.Object, TestMeterFactory.NewMetrics(),
            new FakeTimeProvider(T0), new ReconcileOptions(), NullLogger<Reconciler>.Instance);

        var report = await reconciler.RunOnceAsync(CancellationToken.None);

        Assert.That(report.Result, Is.EqualTo("success"));
        Assert.That(report.AllSourcesSucceeded, Is.True, "--once exits 0");
        Assert.That(report.Counts.Refused, Is.EqualTo(1));
        events.Verify(e => e.RecordAsync(It.Is<EventTarget>(t => t.Kind == "Service" && t.Namespace == "team-a" && t.Name == "big" && t.Uid == "uid-big"),
            "CatalogWriteRefused", It.Is<string>(m => m.Contains("413")), true, It.IsAny<CancellationToken>()), Times.Once);
    }
}
