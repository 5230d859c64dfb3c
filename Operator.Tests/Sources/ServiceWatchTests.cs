using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace AgentLens.Operator.Tests.Sources;

/// <summary>The event trigger's Service watch as a consumer of the engine: which changes it tells as news.</summary>
[TestFixture]
public sealed class ServiceWatchTests
{
    private static ServiceWatch Watch() =>
        new(Mock.Of<IServiceLister>(), new SourceOptions(), new FakeTimeProvider(), TestMeterFactory.NewMetrics(), new CapturedLogs().For<ServiceWatch>());

    private static ListWatchChange<V1Service> Change(WatchEventKind kind, string name, bool announces, bool initial = false) => new(kind, new ObjectKey("team", name),
        new V1Service { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team", Annotations = announces ? new Dictionary<string, string> { [Annotations.Type] = "a2a" } : null } },
        initial);

    private static List<string> Told(ServiceWatch watch)
    {
        var told = new List<string>();
        while (watch.Changes.TryRead(out var change))
        {
            told.Add($"{change.Namespace}/{change.Name}");
        }

        return told;
    }

    [Test]
    public void TheFirstList_IsNotNews()
    {
        var watch = Watch();

        watch.Observe(Change(WatchEventKind.Added, "a", announces: true, initial: true));

        Assert.That(Told(watch), Is.Empty);
    }

    [Test]
    public void AnAnnouncingService_Created_Changed_AndDeleted_IsToldEachTime()
    {
        var watch = Watch();

        watch.Observe(Change(WatchEventKind.Added, "a", announces: true));
        watch.Observe(Change(WatchEventKind.Modified, "a", announces: true));
        watch.Observe(Change(WatchEventKind.Deleted, "a", announces: true));

        Assert.That(Told(watch), Is.EqualTo(new[] { "team/a", "team/a", "team/a" }));
    }

    [Test]
    public void AServiceThatStopsAnnouncing_IsToldOnce_OneThatNeverDid_Never()
    {
        var watch = Watch();
        watch.Observe(Change(WatchEventKind.Added, "was", announces: true, initial: true));

        watch.Observe(Change(WatchEventKind.Modified, "was", announces: false));
        watch.Observe(Change(WatchEventKind.Modified, "was", announces: false));
        watch.Observe(Change(WatchEventKind.Added, "plain", announces: false));
        watch.Observe(new ListWatchChange<V1Service>(WatchEventKind.Deleted, new ObjectKey("team", "plain"), null, false));

        Assert.That(Told(watch), Is.EqualTo(new[] { "team/was" }));
    }

    [Test]
    public void AnAnnouncingServiceFoundGoneByARelist_IsTold()
    {
        var watch = Watch();
        watch.Observe(Change(WatchEventKind.Added, "a", announces: true, initial: true));

        // A relist knows only the key of what is gone.
        watch.Observe(new ListWatchChange<V1Service>(WatchEventKind.Deleted, new ObjectKey("team", "a"), null, false));

        Assert.That(Told(watch), Is.EqualTo(new[] { "team/a" }));
    }
}
