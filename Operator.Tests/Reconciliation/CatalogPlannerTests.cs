using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;

namespace AgentLens.Operator.Tests.Reconciliation;

[TestFixture]
public sealed class CatalogPlannerTests
{
    private const string Endpoint = "http://weather.agents.svc.cluster.local:8080";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly CatalogPlanner planner = new(offlineAfterFailures: 3, retention: TimeSpan.FromHours(24), storeNamespace: "catalog");

    private static DiscoveredAgent Agent(string team = "wx") => new()
    {
        Protocol = Protocol.A2a,
        Endpoint = Endpoint,
        CardUrls = [Endpoint + "/.well-known/agent-card.json"],
        Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "agents", Name = "weather" },
        Team = team,
    };

    private static CardFetched Card(params string[] skills) => new(
        new ParsedCard { DisplayName = "Weather", Capabilities = [.. skills.Select(s => new Capability { Kind = CapabilityKinds.A2aSkill, Name = s })] },
        Endpoint + "/.well-known/agent-card.json", "sha256:" + string.Join("-", skills), "\"e1\"", null, ReadOnlyMemory<byte>.Empty);

    private static CrawlFailed Failure(CrawlFailureReason reason = CrawlFailureReason.Timeout) => new(new CrawlFailure(reason, "boom"));

    /// <summary>Stores what a change writes, as the ConfigMap store would, for the next step.</summary>
    private static StoredEntry Store(PlannedChange change)
    {
        var entry = change switch { CreateEntry c => c.Entry, UpdateEntry u => u.Entry, _ => throw new InvalidOperationException() };
        var configMap = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = entry.Metadata.Name,
                NamespaceProperty = "catalog",
                ResourceVersion = "1",
                Labels = new Dictionary<string, string>(CatalogNames.Labels(entry)),
                Annotations = new Dictionary<string, string> { [Annotations.Endpoint] = entry.Spec.Endpoint },
            },
            Data = new Dictionary<string, string> { [CatalogNames.EntryKey] = CatalogJson.SerializeToString(entry) },
        };
        return ConfigMapCatalogStore.Read(configMap);
    }

    private StoredEntry Active() => Store(planner.Plan(null, Agent(), Card("forecast"), false, T0)!);

    [Test]
    public void NewAgentWithGoodCard_IsCreatedActive()
    {
        var change = planner.Plan(null, Agent(), Card("forecast"), false, T0);

        var create = change as CreateEntry;
        Assert.That(create, Is.Not.Null);
        Assert.That(create!.Name, Does.StartWith("agt-a2a-agents-weather-"));
        Assert.That(create.Entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(create.Transition, Is.EqualTo(Transition.Discovered));
        Assert.That(create.Entry.Status.Conditions.Select(c => (c.Type, c.Status)), Is.EquivalentTo(new[]
        {
            (ConditionTypes.CardFetched, ConditionStatus.True), (ConditionTypes.CardValid, ConditionStatus.True), (ConditionTypes.Discovered, ConditionStatus.True),
        }));
    }

    [Test]
    public void ANamedCluster_IsWrittenIntoEveryEntry_AndAnEntryWithoutItIsRewrittenOnce()
    {
        var named = new CatalogPlanner(offlineAfterFailures: 3, retention: TimeSpan.FromHours(24), storeNamespace: "catalog", cluster: "east-1");

        var update = named.Plan(Active(), Agent(), Card("forecast"), false, T0.AddMinutes(5)) as UpdateEntry;
        var offline = named.Plan(Store(update!), null, null, false, T0.AddMinutes(10)) as UpdateEntry;

        Assert.That(update!.Entry.Status.Cluster, Is.EqualTo("east-1"), "an entry stored before the cluster had a name is rewritten with it");
        Assert.That(CatalogNames.Labels(update.Entry)[Annotations.ClusterLabel], Is.EqualTo("east-1"));
        Assert.That(named.Plan(Store(update), Agent(), Card("forecast"), false, T0.AddMinutes(6)), Is.Null, "and then left alone");
        Assert.That(offline!.Entry.Status.Cluster, Is.EqualTo("east-1"));
        Assert.That(CatalogNames.Labels(Active().Entry!), Does.Not.ContainKey(Annotations.ClusterLabel), "no name, no label");
    }

    [Test]
    public void NewAgentWhoseCrawlFails_IsCreatedRegistered()
    {
        var create = (CreateEntry)planner.Plan(null, Agent(), Failure(), false, T0)!;

        Assert.That(create.Entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Registered));
        Assert.That(create.Entry.Status.ConsecutiveFailures, Is.EqualTo(1));
    }

    [Test]
    public void SameCardAgain_PlansNothing() =>
        Assert.That(planner.Plan(Active(), Agent(), Card("forecast"), false, T0.AddMinutes(5)), Is.Null);

    [Test]
    public void NotModified_PlansNothing() =>
        Assert.That(planner.Plan(Active(), Agent(), new CardUnchanged(), false, T0.AddMinutes(5)), Is.Null);

    [Test]
    public void ChangedSkills_ReplaceTheCapabilitiesAsAWhole()
    {
        var update = (UpdateEntry)planner.Plan(Active(), Agent(), Card("alerts", "radar"), false, T0.AddMinutes(5))!;

        Assert.That(update.Entry.Status.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "alerts", "radar" }));
        Assert.That(update.Transition, Is.EqualTo(Transition.Updated));
    }

    [Test]
    public void ChangedTeamAnnotation_UpdatesSpecAndLabel()
    {
        var update = (UpdateEntry)planner.Plan(Active(), Agent(team: "ops"), Card("forecast"), false, T0.AddMinutes(5))!;

        Assert.That(update.Entry.Spec.Team, Is.EqualTo("ops"));
        Assert.That(CatalogNames.Labels(update.Entry)[Annotations.TeamLabel], Is.EqualTo("ops"));
    }

    [Test]
    public void CrawlFailure_DegradesAndKeepsTheLastGoodCapabilities()
    {
        var update = (UpdateEntry)planner.Plan(Active(), Agent(), Failure(), false, T0.AddMinutes(5))!;

        var status = update.Entry.Status;
        Assert.That(status.Lifecycle, Is.EqualTo(Lifecycle.Degraded));
        Assert.That(status.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "forecast" }));
        Assert.That(status.ConsecutiveFailures, Is.EqualTo(1));
        Assert.That(status.Conditions.Single(c => c.Type == ConditionTypes.CardFetched), Has.Property("Status").EqualTo(ConditionStatus.False).And.Property("Reason").EqualTo("Timeout"));
        Assert.That(update.Transition, Is.EqualTo(Transition.Degraded));
    }

    [Test]
    public void InvalidCard_SetsCardValidFalse()
    {
        var update = (UpdateEntry)planner.Plan(Active(), Agent(), Failure(CrawlFailureReason.InvalidCard), false, T0.AddMinutes(5))!;

        Assert.That(update.Entry.Status.Conditions.Single(c => c.Type == ConditionTypes.CardValid).Status, Is.EqualTo(ConditionStatus.False));
        Assert.That(update.Transition, Is.EqualTo(Transition.CardInvalid));
    }

    [Test]
    public void ThirdConsecutiveFailure_GoesOffline_AndADeadAgentThenCostsNoWrites()
    {
        var entry = Active();
        for (var i = 1; i <= 3; i++)
        {
            entry = Store(planner.Plan(entry, Agent(), Failure(), false, T0.AddMinutes(5 * i))!);
        }

        Assert.That(entry.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Offline));
        Assert.That(entry.Entry.Status.OfflineSince, Is.EqualTo(T0.AddMinutes(15)));
        Assert.That(planner.Plan(entry, Agent(), Failure(), false, T0.AddMinutes(20)), Is.Null);
    }

    [Test]
    public void OfflineAgentWithAGoodCard_Recovers()
    {
        var entry = Active();
        for (var i = 1; i <= 3; i++)
        {
            entry = Store(planner.Plan(entry, Agent(), Failure(), false, T0.AddMinutes(5 * i))!);
        }

        var update = (UpdateEntry)planner.Plan(entry, Agent(), Card("forecast"), false, T0.AddMinutes(30))!;

        Assert.That(update.Entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(update.Entry.Status.ConsecutiveFailures, Is.Zero);
        Assert.That(update.Entry.Status.OfflineSince, Is.Null);
        Assert.That(update.Transition, Is.EqualTo(Transition.Recovered));
    }

    [Test]
    public void NotListedBySucceededSource_GoesOfflineNotDiscovered()
    {
        var update = (UpdateEntry)planner.Plan(Active(), null, null, sourceFailed: false, T0.AddMinutes(5))!;

        Assert.That(update.Entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Offline));
        Assert.That(update.Entry.Status.Conditions.Single(c => c.Type == ConditionTypes.Discovered).Reason, Is.EqualTo("NotDiscovered"));
        Assert.That(update.Entry.Status.Capabilities, Has.Length.EqualTo(1));
    }

    [Test]
    public void NotListedBecauseItsSourceFailed_IsLeftAlone() =>
        Assert.That(planner.Plan(Active(), null, null, sourceFailed: true, T0.AddMinutes(5)), Is.Null);

    [Test]
    public void OfflineLongerThanRetention_IsDeleted_AndNotBefore()
    {
        var offline = Store(planner.Plan(Active(), null, null, false, T0)!);

        Assert.That(planner.Plan(offline, null, null, false, T0.AddHours(23)), Is.Null);
        Assert.That(planner.Plan(offline, null, null, false, T0.AddHours(24)), Is.InstanceOf<DeleteEntry>());
    }

    [Test]
    public void ConditionTransitionTime_MovesOnlyWhenItsStatusFlips()
    {
        var conditions = CatalogPlanner.SetCondition([], "CardFetched", ConditionStatus.False, "Timeout", "a", T0);
        conditions = CatalogPlanner.SetCondition(conditions, "CardFetched", ConditionStatus.False, "HttpStatus", "b", T0.AddMinutes(5));
        Assert.That(conditions.Single().LastTransitionTime, Is.EqualTo(T0));

        conditions = CatalogPlanner.SetCondition(conditions, "CardFetched", ConditionStatus.True, "Fetched", "c", T0.AddMinutes(10));
        Assert.That(conditions.Single().LastTransitionTime, Is.EqualTo(T0.AddMinutes(10)));
    }

    private static CardFetched Protected(AgentAuthorization authorization) => new(
        new ParsedCard { DisplayName = "Private docs", Authorization = authorization },
        Endpoint + "/mcp", "sha256:p", null, null, ReadOnlyMemory<byte>.Empty)
    {
        IntrospectionFailure = new CrawlFailure(CrawlFailureReason.AuthorizationRequired, $"MCP initialize at {Endpoint}/mcp answered 401 Unauthorized"),
    };

    private static readonly AgentAuthorization Granted = new()
    {
        Required = true,
        AuthorizationServers = ["https://auth.example.com/"],
        ScopesSupported = ["docs:read"],
        MetadataUrl = Endpoint + "/.well-known/oauth-protected-resource/mcp",
    };

    [Test]
    public void ProtectedMcpServer_IsActive_AuthorizationRequired_AndDiscoveredWithoutAWarning()
    {
        var change = (CreateEntry)planner.Plan(null, Agent() with { Protocol = Protocol.Mcp }, Protected(Granted), false, T0)!;

        var status = change.Entry.Status;
        Assert.That(status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(status.Authorization, Is.EqualTo(Granted));
        var listed = status.Conditions.Single(c => c.Type == ConditionTypes.CapabilitiesListed);
        Assert.That((listed.Status, listed.Reason), Is.EqualTo((ConditionStatus.False, "AuthorizationRequired")));
        Assert.That(listed.Message, Does.Contain("https://auth.example.com/").And.Contain("docs:read").And.Contain("401"));
        Assert.That(change.Transition, Is.EqualTo(Transition.Discovered), "protected is not IntrospectionFailed: no Warning Event");
        Assert.That(planner.Plan(Store(change), Agent() with { Protocol = Protocol.Mcp }, Protected(Granted), false, T0.AddMinutes(5)), Is.Null, "and nothing to write next cycle");
    }

    [Test]
    public void ProtectedMcpServer_WithoutKnownServers_SaysWhy()
    {
        var unknown = Granted with { AuthorizationServers = [], MetadataProblem = "the metadata is on another origin (http://elsewhere:1) and was not fetched" };

        var status = ((CreateEntry)planner.Plan(null, Agent() with { Protocol = Protocol.Mcp }, Protected(unknown), false, T0)!).Entry.Status;

        Assert.That(status.Conditions.Single(c => c.Type == ConditionTypes.CapabilitiesListed).Message, Does.Contain("another origin"));
    }

    [Test]
    public void AnEntryStoredBeforeAuthorizationExisted_ReadsWithoutIt_AndAPartialOneReadsWithEmptyLists()
    {
        var before = CatalogJson.SerializeToString(((CreateEntry)planner.Plan(null, Agent(), Card("forecast"), false, T0)!).Entry);
        var partial = before.Replace("\"status\":{", "\"status\":{\"authorization\":{\"required\":true,\"requirements\":[{}]},", StringComparison.Ordinal);

        Assert.That(before, Does.Not.Contain("authorization"));
        Assert.That(CatalogJson.Deserialize(before).Status.Authorization, Is.Null);
        var read = CatalogJson.Deserialize(partial).Status.Authorization!;
        Assert.That(read.AuthorizationServers, Is.Empty);
        Assert.That(read.Schemes, Is.Empty);
        Assert.That(read.Requirements.Single().Schemes, Is.Empty);
        Assert.That(EntryCheck.Problem(CatalogJson.Deserialize(partial)), Is.Null);
    }

    [Test]
    public void CanonicalJson_RoundTripsToTheSameBytes()
    {
        var entry = ((CreateEntry)planner.Plan(null, Agent(), Card("forecast", "alerts"), false, T0)!).Entry;

        var json = CatalogJson.SerializeToString(entry);

        Assert.That(CatalogJson.SerializeToString(CatalogJson.Deserialize(json)), Is.EqualTo(json));
        Assert.That(CatalogJson.Deserialize(json), Is.EqualTo(entry));
    }
}
