using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;

namespace AgentLens.Operator.Tests.Reconciliation;

[TestFixture]
public sealed class EndpointClaimsTests
{
    private const string Endpoint = "http://weather.demo.svc.cluster.local:8080";
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static DiscoveredAgent Service(string ns, string name, DateTimeOffset? created = null) => new()
    {
        Protocol = Protocol.A2a,
        Endpoint = Endpoint,
        CardUrls = [Endpoint + "/.well-known/agent-card.json"],
        Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name },
        SourceCreated = created,
    };

    private static DiscoveredAgent Static(string name) => new()
    {
        Protocol = Protocol.A2a,
        Endpoint = Endpoint,
        CardUrls = [Endpoint + "/.well-known/agent-card.json"],
        Source = new SourceRef { Type = SourceType.Static, Name = name },
    };

    private static StoredEntry OwnedBy(DiscoveredAgent owner) => new()
    {
        Name = "agt-a2a-owned",
        Namespace = "catalog",
        ResourceVersion = "1",
        IsPush = false,
        Endpoint = Endpoint,
        Entry = new AgentType
        {
            Metadata = new AgentMetadata { Name = "agt-a2a-owned" },
            Spec = new AgentSpec { Protocol = Protocol.A2a, Endpoint = Endpoint, Source = owner.Source },
        },
    };

    private static (Dictionary<string, DiscoveredAgent> Winners, List<LostClaim> Lost) Resolve(IEnumerable<DiscoveredAgent> claims, StoredEntry? existing = null,
        HashSet<SourceType>? failed = null, HashSet<string>? push = null) =>
        EndpointClaims.Resolve(claims, existing is null ? new Dictionary<string, StoredEntry>() : new() { [Endpoint] = existing },
            push ?? [], failed ?? []);

    [Test]
    public void NewEndpoint_GoesToTheOldestService_NotTheFirstByName()
    {
        var older = Service("zzz-team", "weather", T0);
        var newer = Service("aaa-evil", "weather", T0.AddSeconds(1));

        var (winners, lost) = Resolve([newer, older]);

        Assert.That(winners[Endpoint], Is.SameAs(older));
        Assert.That(lost.Single().Loser, Is.SameAs(newer));
        Assert.That(lost.Single().Owner, Is.EqualTo(older.Source));
    }

    [Test]
    public void SameAge_BreaksByNamespaceThenName()
    {
        var (winners, _) = Resolve([Service("b", "x", T0), Service("a", "y", T0)]);

        Assert.That(winners[Endpoint].Source.Namespace, Is.EqualTo("a"));
    }

    [Test]
    public void NewEndpoint_ServiceBeforeStaticFile()
    {
        var (winners, _) = Resolve([Static("weather"), Service("demo", "weather", T0)]);

        Assert.That(winners[Endpoint].Source.Type, Is.EqualTo(SourceType.Kubernetes));
    }

    [Test]
    public void Owner_KeepsItsEntry_AgainstAnOlderClaimant()
    {
        var owner = Service("demo", "weather", T0.AddDays(1));
        var older = Service("aaa-evil", "weather", T0);

        var (winners, lost) = Resolve([older, owner], OwnedBy(owner));

        Assert.That(winners[Endpoint], Is.SameAs(owner));
        Assert.That(lost.Single().Loser, Is.SameAs(older));
        Assert.That(lost.Single().EntryName, Is.EqualTo("agt-a2a-owned"));
    }

    [Test]
    public void StaticOwner_KeepsItsEntry_AgainstAService()
    {
        var owner = Static("weather");
        var (winners, lost) = Resolve([Service("team-a", "weather", T0), owner], OwnedBy(owner));

        Assert.That(winners[Endpoint], Is.SameAs(owner));
        Assert.That(lost.Single().Loser.Source.Namespace, Is.EqualTo("team-a"));
    }

    [Test]
    public void OwnerGone_ServiceOfAnotherNamespace_DoesNotTakeOver()
    {
        var owner = Service("demo", "weather", T0);

        var (winners, lost) = Resolve([Service("aaa-evil", "weather", T0)], OwnedBy(owner));

        Assert.That(winners, Is.Empty);
        Assert.That(lost.Single().Owner, Is.EqualTo(owner.Source));
    }

    [Test]
    public void OwnerGone_ServiceOfTheSameNamespace_TakesOver()
    {
        var owner = Service("demo", "weather", T0);
        var renamed = Service("demo", "weather-v2", T0.AddDays(1));

        var (winners, lost) = Resolve([renamed], OwnedBy(owner));

        Assert.That(winners[Endpoint], Is.SameAs(renamed));
        Assert.That(lost, Is.Empty);
    }

    [Test]
    public void OwnerGone_StaticFile_TakesOver()
    {
        var (winners, _) = Resolve([Static("weather")], OwnedBy(Service("demo", "weather", T0)));

        Assert.That(winners[Endpoint].Source.Type, Is.EqualTo(SourceType.Static));
    }

    [Test]
    public void OwnersSourceFailed_NothingChangesHands()
    {
        var (winners, lost) = Resolve([Static("weather")], OwnedBy(Service("demo", "weather", T0)), failed: [SourceType.Kubernetes]);

        Assert.That(winners, Is.Empty);
        Assert.That(lost, Has.Count.EqualTo(1));
    }

    [Test]
    public void PushEndpoint_IsNobodysToClaim()
    {
        var (winners, lost) = Resolve([Service("demo", "weather", T0)], push: [Endpoint]);

        Assert.That(winners, Is.Empty);
        Assert.That(lost, Is.Empty);
    }
}
