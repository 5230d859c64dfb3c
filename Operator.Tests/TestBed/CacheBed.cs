using AgentLens.Operator.Catalog;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The catalog mirror, its feed and its Leases in-process, on a fake clock, fed by hand (the API server is never called).</summary>
internal sealed class CacheBed : IDisposable
{
    private readonly k8s.Kubernetes client = new(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });

    public CacheBed(DateTimeOffset now, CacheOptions? options = null)
    {
        Clock.SetUtcNow(now);
        Health.SetupGet(h => h.IsLeader).Returns(true);
        Events.Setup(e => e.RecordAsync(It.IsAny<EventTarget>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        options ??= new CacheOptions { Retention = TimeSpan.FromHours(1) };
        var store = new StoreNamespace("catalog");
        Leases = new AgentLeases(client, store, Clock, options, Logs.For<AgentLeases>());
        Feed = new CatalogFeed(options, Clock);
        Cache = new CatalogMirror(new CatalogConfigMaps(client, store, Clock, Logs.For<CatalogConfigMaps>()), Feed, Leases, Events.Object, Health.Object,
            TestMeterFactory.NewMetrics(), Clock, options, Logs.For<CatalogMirror>());
    }

    public FakeTimeProvider Clock { get; } = new();
    public CapturedLogs Logs { get; } = new();
    public Mock<IEventRecorder> Events { get; } = new();
    public Mock<ILeadership> Health { get; } = new();
    public AgentLeases Leases { get; }
    public CatalogFeed Feed { get; }

    /// <summary>The mirror (named as the cache it was split from, which the Lease tests drive).</summary>
    public CatalogMirror Cache { get; }

    public void Dispose()
    {
        Cache.Dispose();
        Leases.Dispose();
        client.Dispose();
    }
}
