using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.Domain;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The catalog mirror, its feed and its Leases in-process, on a fake clock, fed by hand (the API server is never called).</summary>
internal sealed class CacheBed : IDisposable
{
    private readonly k8s.Kubernetes client = new(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
    private readonly CancellationTokenSource stop = new();
    private Task? watching;

    public CacheBed(DateTimeOffset now, CacheOptions? options = null)
    {
        Clock.SetUtcNow(now);
        Health.SetupGet(h => h.IsLeader).Returns(true);
        Events.Setup(e => e.RecordAsync(It.IsAny<EventTarget>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        options ??= new CacheOptions { Retention = TimeSpan.FromHours(1) };
        var store = new StoreNamespace("catalog");
        var metrics = TestMeterFactory.NewMetrics();
        Leases = new AgentLeases(new LeaseListWatch(client, store), Clock, options, metrics, Logs.For<AgentLeases>());
        Feed = new CatalogFeed(options, Clock);
        ConfigMaps = new CatalogConfigMaps(Stored, Clock, metrics, Logs.For<CatalogConfigMaps>());
        Cache = new CatalogMirror(ConfigMaps, Feed, Leases, Events.Object, Health.Object,
            metrics, Clock, options, Logs.For<CatalogMirror>());
    }

    public FakeTimeProvider Clock { get; } = new();

    /// <summary>The catalog ConfigMaps as the API server would list and watch them; the test sends each watch's events.</summary>
    public FakeListWatch<V1ConfigMap> Stored { get; } = new("configmaps", c => new ObjectKey(c.Metadata.NamespaceProperty, c.Metadata.Name), c => c.Metadata.ResourceVersion);

    public CatalogConfigMaps ConfigMaps { get; }
    public CapturedLogs Logs { get; } = new();
    public Mock<IEventRecorder> Events { get; } = new();
    public Mock<ILeadership> Health { get; } = new();
    public AgentLeases Leases { get; }
    public CatalogFeed Feed { get; }

    /// <summary>The mirror (named as the cache it was split from, which the Lease tests drive).</summary>
    public CatalogMirror Cache { get; }

    /// <summary>Lists and watches <see cref="Stored"/> into the mirror (the engine, on the fake clock), until disposed.</summary>
    public void StartWatching() => watching = Task.Run(() => ConfigMaps.RunAsync(Cache, stop.Token));

    /// <summary>What a first list of the Leases tells: each one, then that the list is complete.</summary>
    public void ListLeases(IEnumerable<V1Lease> leases)
    {
        foreach (var lease in leases)
        {
            Leases.Observe(new ListWatchChange<V1Lease>(WatchEventKind.Added, new ObjectKey(lease.Metadata.NamespaceProperty, lease.Metadata.Name), lease, Initial: true));
        }

        Leases.MarkSynced();
    }

    /// <summary>What the Lease watch tells of one Lease.</summary>
    public void WatchLease(WatchEventKind kind, V1Lease lease) =>
        Leases.Observe(new ListWatchChange<V1Lease>(kind, new ObjectKey(lease.Metadata.NamespaceProperty, lease.Metadata.Name), lease, Initial: false));

    public void Dispose()
    {
        stop.Cancel();
        watching?.Wait(TimeSpan.FromSeconds(10));
        stop.Dispose();
        Cache.Dispose();
        Leases.Dispose();
        client.Dispose();
    }
}
