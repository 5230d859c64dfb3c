using System.Threading.Channels;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>The list/watch engine over the agent Leases, against the real API server, through a restart of it.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class LeaseWatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private Task<V1Lease> CreateAsync(string ns, string name, bool labelled = true) =>
        cp.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labelled ? new Dictionary<string, string> { [Annotations.AgentLeaseLabel] = "true" } : null },
            Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 30, RenewTime = DateTime.UtcNow },
        }, ns);

    private async Task RenewAsync(string ns, string name)
    {
        var lease = await cp.Client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns);
        lease.Spec.RenewTime = DateTime.UtcNow;
        await cp.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns);
    }

    private static async Task<List<(WatchEventKind Kind, string Name)>> NextAsync(ChannelReader<ListWatchChange<V1Lease>> changes, int count)
    {
        using var bound = new CancellationTokenSource(Bound);
        var got = new List<(WatchEventKind, string)>();
        while (got.Count < count)
        {
            var change = await changes.ReadAsync(bound.Token);
            got.Add((change.Kind, change.Key.Name));
        }

        return got;
    }

    [Test]
    public async Task LeaseList_IsPaged_OnlyAgentLeases_WithoutManagedFields()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "leasewatch");
        foreach (var name in new[] { "a", "b", "c" })
        {
            await CreateAsync(ns, name);
        }

        await CreateAsync(ns, "not-an-agent", labelled: false);
        var source = new LeaseListWatch(cp.Client, new StoreNamespace(ns));

        var first = await source.ListPageAsync(2, null, CancellationToken.None);
        var second = await source.ListPageAsync(2, first.Continue, CancellationToken.None);

        Assert.That(first.Items.Select(l => l.Metadata.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(first.Continue, Is.Not.Null);
        Assert.That(second.Items.Select(l => l.Metadata.Name), Is.EqualTo(new[] { "c" }));
        Assert.That(second.Continue, Is.Null);
        Assert.That(first.Items.Concat(second.Items).Select(l => l.Metadata.ManagedFields), Has.All.Null, "managedFields are dropped on the way in");
    }

    [Test]
    public async Task CreateModifyDelete_AreSeen_AndSoAreChangesMadeAroundAnApiServerRestart()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "leasewatch");
        foreach (var name in new[] { "kept", "renewed", "removed" })
        {
            await CreateAsync(ns, name);
        }

        var changes = Channel.CreateUnbounded<ListWatchChange<V1Lease>>();
        var logs = new CapturedLogs();
        using var client = cp.NewClient();
        var reflector = new Reflector<V1Lease>(new LeaseListWatch(client, new StoreNamespace(ns)), c => changes.Writer.TryWrite(c), TimeProvider.System,
            TestMeterFactory.NewMetrics(), logs.CreateLogger("leases"));
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => reflector.RunAsync(stop.Token));
        try
        {
            Assert.That(await NextAsync(changes.Reader, 3), Is.EquivalentTo(new[] { (WatchEventKind.Added, "kept"), (WatchEventKind.Added, "renewed"), (WatchEventKind.Added, "removed") }));
            await reflector.Synced.WaitAsync(Bound);

            await CreateAsync(ns, "new");
            await RenewAsync(ns, "renewed");
            await cp.Client.CoordinationV1.DeleteNamespacedLeaseAsync("removed", ns);
            Assert.That(await NextAsync(changes.Reader, 3), Is.EqualTo(new[] { (WatchEventKind.Added, "new"), (WatchEventKind.Modified, "renewed"), (WatchEventKind.Deleted, "removed") }));

            // Elsewhere the cluster moves on: the version held is older than the restarted server's watch cache (410).
            var elsewhere = await TestNamespaces.CreateAsync(cp.Client, "leasewatch");
            await CreateAsync(elsewhere, "unrelated", labelled: false);
            await cp.StopApiServerAsync();
            await cp.StartApiServerAsync();
            // Made while the engine is still cut off or backing off: it must learn of each, and of nothing else.
            await CreateAsync(ns, "after");
            await RenewAsync(ns, "renewed");
            await cp.Client.CoordinationV1.DeleteNamespacedLeaseAsync("new", ns);
            var missed = await NextAsync(changes.Reader, 3);

            Assert.That(missed, Is.EquivalentTo(new[] { (WatchEventKind.Added, "after"), (WatchEventKind.Modified, "renewed"), (WatchEventKind.Deleted, "new") }));
            Assert.That(logs.Lines, Has.Some.Contains("Watching leases in namespace"), "the outage was noticed");
            await RenewAsync(ns, "kept");
            Assert.That(await NextAsync(changes.Reader, 1), Is.EqualTo(new[] { (WatchEventKind.Modified, "kept") }), "nothing else came before it: kept was not told again");
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(Bound);
        }
    }
}
