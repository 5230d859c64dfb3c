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
        var recorder = new KubernetesEventRecorder(cp.Client, clock, NullLogger<KubernetesEventRecorder>.Instance);
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
}
