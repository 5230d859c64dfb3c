using AgentLens.Operator.Api;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>status.capabilitiesObservedAt and each capability's source: what a reader learns about how fresh a list is, at no write per cycle.</summary>
[TestFixture]
public sealed class CapabilityFreshnessTests
{
    private const string Endpoint = "http://tools.agents.svc.cluster.local:8080/mcp";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly CatalogPlanner planner = new(offlineAfterFailures: 3, retention: TimeSpan.FromHours(24), storeNamespace: "catalog");

    private static DiscoveredAgent Agent(Protocol protocol = Protocol.Mcp) => new()
    {
        Protocol = protocol,
        Endpoint = Endpoint,
        CardUrls = [Endpoint + "/server-card"],
        Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "agents", Name = "tools" },
    };

    private static CardFetched Live(params string[] tools) => new(
        new ParsedCard
        {
            DisplayName = "Tools",
            Capabilities = [.. tools.Select(t => new Capability { Kind = CapabilityKinds.McpTool, Name = t, Source = CapabilitySources.Introspection })],
        },
        Endpoint, "sha256:" + string.Join("-", tools), null, null, ReadOnlyMemory<byte>.Empty);

    private static StoredEntry Store(PlannedChange change)
    {
        var entry = change switch { CreateEntry c => c.Entry, UpdateEntry u => u.Entry, _ => throw new InvalidOperationException() };
        return Store(entry, CatalogJson.SerializeToString(entry));
    }

    private static StoredEntry Store(AgentType entry, string json) => ConfigMapCatalogStore.Read(new V1ConfigMap
    {
        Metadata = new V1ObjectMeta
        {
            Name = entry.Metadata.Name,
            NamespaceProperty = "catalog",
            ResourceVersion = "1",
            Labels = new Dictionary<string, string>(CatalogNames.Labels(entry)),
            Annotations = new Dictionary<string, string> { [Annotations.Endpoint] = entry.Spec.Endpoint },
        },
        Data = new Dictionary<string, string> { [CatalogNames.EntryKey] = json },
    });

    [Test]
    public void ObservedAt_IsWhenTheListWasFirstSeen_AndAnUnchangedRecheckWritesNothing()
    {
        var stored = Store(planner.Plan(null, Agent(), Live("echo"), false, T0)!);

        var recheck = planner.Plan(stored, Agent(), Live("echo"), false, T0.AddMinutes(30));

        Assert.That(stored.Entry!.Status.CapabilitiesObservedAt, Is.EqualTo(T0));
        Assert.That(recheck, Is.Null, "observedAt stays put, so the same list costs no write");
    }

    [Test]
    public void ObservedAt_MovesWhenTheListChanges()
    {
        var stored = Store(planner.Plan(null, Agent(), Live("echo"), false, T0)!);

        var update = planner.Plan(stored, Agent(), Live("echo", "reverse"), false, T0.AddMinutes(7)) as UpdateEntry;

        Assert.That(update, Is.Not.Null);
        Assert.That(update!.Entry.Status.CapabilitiesObservedAt, Is.EqualTo(T0.AddMinutes(7)));
        Assert.That(update.Drift!.Added, Is.EqualTo(new[] { "mcp.tool:reverse" }));
    }

    [Test]
    public void EachCapability_SaysWhereItCameFrom()
    {
        var a2a = new CardFetched(new ParsedCard { DisplayName = "A", Capabilities = [new Capability { Kind = CapabilityKinds.A2aSkill, Name = "forecast" }] },
            Endpoint, "sha256:a", null, null, ReadOnlyMemory<byte>.Empty);

        var declared = (CreateEntry)planner.Plan(null, Agent(Protocol.A2a), a2a, false, T0)!;
        var collected = (CreateEntry)planner.Plan(null, Agent(), Live("echo"), false, T0)!;

        Assert.That(declared.Entry.Status.Capabilities.Single().Source, Is.EqualTo(CapabilitySources.Card));
        Assert.That(collected.Entry.Status.Capabilities.Single().Source, Is.EqualTo(CapabilitySources.Introspection));
        Assert.That(CatalogJson.SerializeToString(collected.Entry), Does.Contain("\"source\":\"introspection\"").And.Contain("\"capabilitiesObservedAt\":\"2026-11-23T08:00:00Z\""));
    }

    [Test]
    public void AnEntryStoredBeforeTheseFields_Reads_AndIsWrittenOnceThenLeftAlone()
    {
        var current = ((CreateEntry)planner.Plan(null, Agent(), Live("echo"), false, T0)!).Entry;
        var old = current with
        {
            Status = current.Status with { CapabilitiesObservedAt = null, Capabilities = [.. current.Status.Capabilities.Select(c => c with { Source = null })] },
        };
        var oldJson = CatalogJson.SerializeToString(old);
        Assert.That(oldJson, Does.Not.Contain("\"source\":\"introspection\"").And.Not.Contain("capabilitiesObservedAt"));
        var stored = Store(old, oldJson);

        var upgrade = planner.Plan(stored, Agent(), Live("echo"), false, T0.AddHours(1)) as UpdateEntry;
        var after = planner.Plan(Store(upgrade!), Agent(), Live("echo"), false, T0.AddHours(2));

        Assert.That(stored.Entry!.Status.Capabilities.Single().Source, Is.Null);
        Assert.That(upgrade!.Drift, Is.Null, "learning where a tool came from is not a redefinition");
        Assert.That(upgrade.Entry.Status.CapabilitiesObservedAt, Is.EqualTo(T0.AddHours(1)));
        Assert.That(after, Is.Null);
    }

    [Test]
    public void AServerThatCouldNotBeAsked_HasToolsNotKnown_NotNone()
    {
        var card = new CardFetched(new ParsedCard { DisplayName = "Tools" }, Endpoint + "/server-card", "sha256:c", null, null, ReadOnlyMemory<byte>.Empty)
        {
            IntrospectionFailure = new CrawlFailure(CrawlFailureReason.Timeout, "no answer"),
        };

        var unknown = ((CreateEntry)planner.Plan(null, Agent(), card, false, T0)!).Entry;
        var none = ((CreateEntry)planner.Plan(null, Agent(), Live(), false, T0)!).Entry;

        Assert.That(unknown.Status.CapabilitiesObservedAt, Is.Null);
        Assert.That(AgentTypeObjects.CapabilitySummary(unknown), Is.EqualTo("? tools"));
        Assert.That(none.Status.CapabilitiesObservedAt, Is.EqualTo(T0));
        Assert.That(AgentTypeObjects.CapabilitySummary(none), Is.EqualTo("0 tools"));
    }
}
