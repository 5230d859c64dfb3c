using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// The lean store on the real API server: an entry keeps no ConfigMap, yet an update keeps what others put on
/// the object, drops the operator's own labels it no longer wants, and is refused on a stale resourceVersion.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class ConfigMapCatalogStoreTests
{
    private ControlPlane cp = null!;
    private string ns = null!;
    private ConfigMapCatalogStore store = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    [SetUp]
    public async Task NewNamespace()
    {
        ns = $"store-{Guid.NewGuid():N}"[..20];
        await cp.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        store = new ConfigMapCatalogStore(cp.Client, ns, storeRawCard: true);
    }

    private static AgentType Entry(string? team, string version) => new()
    {
        Metadata = new AgentMetadata { Name = "weather", Namespace = "team-a" },
        Spec = new AgentSpec
        {
            Protocol = Protocol.A2a,
            Endpoint = "http://weather.team-a.svc:8080",
            Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "team-a", Name = "weather" },
            Team = team,
        },
        Status = new AgentStatus { Lifecycle = Lifecycle.Active, Version = version },
    };

    [Test]
    public async Task Update_KeepsWhatOthersAdded_AndDropsOwnedLabelsNoLongerWanted()
    {
        var created = await store.CreateAsync("weather", Entry("wx", "1"), "{\"card\":1}"u8.ToArray(), CancellationToken.None);
        var edited = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync("weather", ns);
        edited.Metadata.Labels["example.com/owner"] = "ops";
        edited.Metadata.Annotations["example.com/note"] = "keep me";
        edited = await cp.Client.CoreV1.ReplaceNamespacedConfigMapAsync(edited, "weather", ns);
        var read = await store.GetAsync("weather", CancellationToken.None);

        var updated = await store.UpdateAsync(read!, Entry(team: null, "2"), rawCard: null, CancellationToken.None);

        var stored = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync("weather", ns);
        Assert.Multiple(() =>
        {
            Assert.That(created.Labels, Does.ContainKey(Annotations.TeamLabel), "the team label was set at first");
            Assert.That(stored.Metadata.Labels, Does.Not.ContainKey(Annotations.TeamLabel), "an owned label no longer wanted is removed");
            Assert.That(stored.Metadata.Labels["example.com/owner"], Is.EqualTo("ops"), "someone else's label stays");
            Assert.That(stored.Metadata.Annotations["example.com/note"], Is.EqualTo("keep me"), "someone else's annotation stays");
            Assert.That(stored.Data[CatalogNames.CardKey], Is.EqualTo("{\"card\":1}"), "no card fetched: the stored one stays");
            Assert.That(updated.Entry!.Status.Version, Is.EqualTo("2"));
            Assert.That(updated.AnnotatedEndpoint, Is.EqualTo("http://weather.team-a.svc:8080"));
            Assert.That(updated.Created, Is.Not.Null);
        });
    }

    [Test]
    public async Task Update_FromAStaleRead_IsAConflict()
    {
        var created = await store.CreateAsync("weather", Entry("wx", "1"), null, CancellationToken.None);
        await store.UpdateAsync(created, Entry("wx", "2"), null, CancellationToken.None);

        Assert.ThrowsAsync<CatalogConflictException>(() => store.UpdateAsync(created, Entry("wx", "3"), null, CancellationToken.None));
    }

    [Test]
    public async Task Entries_ShareOneInstanceOfEachNamespaceAndLabelValue()
    {
        await store.CreateAsync("weather", Entry("wx", "1"), null, CancellationToken.None);
        await store.CreateAsync("news", Entry("wx", "1") with { Metadata = new AgentMetadata { Name = "news", Namespace = "team-a" } }, null, CancellationToken.None);

        var entries = await store.ListAsync(CancellationToken.None);

        Assert.That(entries, Has.Count.EqualTo(2));
        Assert.That(ReferenceEquals(entries[0].Namespace, entries[1].Namespace), Is.True, "the namespace is pooled");
        Assert.That(ReferenceEquals(entries[0].Labels[Annotations.TeamLabel], entries[1].Labels[Annotations.TeamLabel]), Is.True, "label values are pooled");
    }
}
