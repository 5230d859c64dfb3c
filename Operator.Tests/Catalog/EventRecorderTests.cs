using AgentLens.Operator.Catalog;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Catalog;

[TestFixture]
[Category("Integration")]
public sealed class EventRecorderTests
{
    [Test]
    public async Task AFlappingObject_GetsOneEventPerReasonPerInterval()
    {
        var cp = await ControlPlane.SharedAsync();
        var ns = await TestNamespaces.CreateAsync(cp.Client, "events");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var recorder = new KubernetesEventRecorder(cp.Client, clock, TestMeterFactory.NewMetrics(), NullLogger<KubernetesEventRecorder>.Instance);
        var target = new EventTarget("ConfigMap", ns, "agt-a2a-flappy", null, null);

        for (var i = 0; i < 10; i++)
        {
            await recorder.RecordAsync(target, "Degraded", "down", warning: true, CancellationToken.None);
            await recorder.RecordAsync(target, "Recovered", "up", warning: false, CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(20));
        }

        clock.Advance(KubernetesEventRecorder.PerObjectInterval);
        await recorder.RecordAsync(target, "Degraded", "down again", warning: true, CancellationToken.None);

        var events = await cp.Client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.That(events.Items.Select(e => e.Reason).Order(), Is.EqualTo(new[] { "Degraded", "Degraded", "Recovered" }));
        Assert.That(events.Items.Single(e => e.Reason == "Recovered").Type, Is.EqualTo("Normal"));
        Assert.That(recorder.Dropped, Is.EqualTo(18));
    }

    [Test]
    public async Task OneNamespacesFlood_DoesNotSilenceAnotherNamespacesEvent()
    {
        var cp = await ControlPlane.SharedAsync();
        var noisy = await TestNamespaces.CreateAsync(cp.Client, "noisy");
        var quiet = await TestNamespaces.CreateAsync(cp.Client, "quiet");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var recorder = new KubernetesEventRecorder(cp.Client, clock, TestMeterFactory.NewMetrics(), NullLogger<KubernetesEventRecorder>.Instance);

        // 250 Services with a bad annotation, each its own object: a different Event each, within one minute.
        for (var i = 0; i < 250; i++)
        {
            await recorder.RecordAsync(new EventTarget("Service", noisy, $"bad-{i}", null, null), "InvalidPort", "agentlens.io/port is not a port number", warning: true, CancellationToken.None);
        }

        await recorder.RecordAsync(new EventTarget("ConfigMap", quiet, "agt-a2a-weather", null, null), "CapabilitiesChanged", "skill forecast added", warning: false, CancellationToken.None);

        var told = (await cp.Client.CoreV1.ListNamespacedEventAsync(quiet)).Items;
        Assert.That(told.Select(e => e.Reason), Is.EqualTo(new[] { "CapabilitiesChanged" }), "another team's Event is written");
        Assert.That((await cp.Client.CoreV1.ListNamespacedEventAsync(noisy)).Items, Has.Count.LessThan(250), "the flood itself is still bounded");
    }

    [Test]
    public async Task ASecondDifferentRedefinition_WithinTheInterval_IsWritten_ARepeatIsNot()
    {
        var cp = await ControlPlane.SharedAsync();
        var ns = await TestNamespaces.CreateAsync(cp.Client, "events");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var recorder = new KubernetesEventRecorder(cp.Client, clock, TestMeterFactory.NewMetrics(), NullLogger<KubernetesEventRecorder>.Instance);
        var target = new EventTarget("ConfigMap", ns, "agt-a2a-weather", null, null);

        await recorder.RecordAsync(target, "CapabilitiesChanged", "skill forecast redefined", warning: false, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        await recorder.RecordAsync(target, "CapabilitiesChanged", "skill alerts redefined", warning: false, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        await recorder.RecordAsync(target, "CapabilitiesChanged", "skill alerts redefined", warning: false, CancellationToken.None);

        var events = (await cp.Client.CoreV1.ListNamespacedEventAsync(ns)).Items;
        Assert.That(events.Select(e => e.Message).Order(), Is.EqualTo(new[] { "skill alerts redefined", "skill forecast redefined" }));
        Assert.That(recorder.Dropped, Is.EqualTo(1), "only the repeat of the same content is dropped");
    }
}
