using AgentLens.Operator.Catalog;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace AgentLens.Operator.Tests.Hosting;

/// <summary>Two operator instances against the real API server: only the Lease holder reconciles.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class LeaderElectionTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    /// <summary>Counts the cycles an instance runs, around the real reconciler.</summary>
    private sealed class CountingReconciler(IReconciler inner) : IReconciler
    {
        private int cycles;

        public int Cycles => Volatile.Read(ref cycles);

        public Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref cycles);
            return inner.RunOnceAsync(cancellationToken);
        }

        public Task WriteStatusAsync(CycleReport report, string? leader, CancellationToken cancellationToken) =>
            inner.WriteStatusAsync(report, leader, cancellationToken);

        public Task<TargetedReport?> ReconcileServicesAsync(IReadOnlyCollection<AgentLens.Operator.Sources.ServiceChange> changed, CancellationToken cancellationToken) =>
            inner.ReconcileServicesAsync(changed, cancellationToken);
    }

    private sealed record Instance(DiscoveryLoop Loop, CountingReconciler Reconciler, OperatorHealth Health, IKubernetes Client, ReconcilerHarness Harness) : IDisposable
    {
        public void Dispose()
        {
            Loop.Dispose();
            Client.Dispose();
            Harness.Dispose();
        }
    }

    private static async Task<Instance> StartAsync(ControlPlane cp, string storeNamespace, string servicesNamespace)
    {
        var client = cp.NewClient();
        var harness = await ReconcilerHarness.CreateAsync(cp, client: client, storeNamespace: storeNamespace, servicesNamespace: servicesNamespace);
        var counting = new CountingReconciler(harness.Reconciler);
        var health = new OperatorHealth(TimeProvider.System);
        var options = new OperatorOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(500),
            LeaderElection = { Enabled = true, LeaseName = "agentlens-test", LeaseDuration = LeaseDuration, RenewDeadline = TimeSpan.FromSeconds(2), RetryPeriod = TimeSpan.FromMilliseconds(250) },
        };
        var loop = new DiscoveryLoop(counting, client, health, TestMeterFactory.NewMetrics(), TimeProvider.System, Mock.Of<IHostApplicationLifetime>(),
            Options.Create(options), new StoreNamespace(storeNamespace), NullLogger<DiscoveryLoop>.Instance, new CycleGate());
        await loop.StartAsync(CancellationToken.None);
        return new Instance(loop, counting, health, client, harness);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return true;
    }

    [Test]
    public async Task OnlyTheLeaderReconciles_AndAFollowerTakesOverWhenItDies()
    {
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "lease");
        var services = await TestNamespaces.CreateAsync(cp.Client, "lease-agents");
        using var first = await StartAsync(cp, store, services);
        Assert.That(await EventuallyAsync(() => first.Health.IsLeader && first.Reconciler.Cycles > 0, TimeSpan.FromSeconds(20)), Is.True, "the first instance leads");

        using var second = await StartAsync(cp, store, services);
        await Task.Delay(LeaseDuration);
        Assert.That(second.Health.IsLeader, Is.False);
        Assert.That(second.Reconciler.Cycles, Is.Zero, "a follower never reconciles");
        Assert.That(first.Reconciler.Cycles, Is.GreaterThan(1));

        // The leader dies: its loop stops without handing over, so the follower must wait the lease out.
        await first.Loop.StopAsync(CancellationToken.None);
        var cyclesOfDeadLeader = first.Reconciler.Cycles;
        Assert.That(await EventuallyAsync(() => second.Health.IsLeader && second.Reconciler.Cycles > 0, LeaseDuration * 4), Is.True,
            "the follower takes over within the lease duration (and its retries)");
        Assert.That(first.Reconciler.Cycles, Is.EqualTo(cyclesOfDeadLeader));

        var status = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync(CatalogNames.StatusConfigMap, store);
        Assert.That(status.Data[CatalogNames.StatusKey], Does.Contain("\"leader\""));
        await second.Loop.StopAsync(CancellationToken.None);
    }
}
