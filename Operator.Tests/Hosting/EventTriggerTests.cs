using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Hosting;

/// <summary>
/// --events on the real API server: the operator as a process with a one-hour poll interval, so anything
/// that happens within the test happens because of an event, not the timer.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class EventTriggerTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private ControlPlane cp = null!;
    private string ns = null!;

    [SetUp]
    public async Task Start()
    {
        cp = await ControlPlane.SharedAsync();
        ns = await TestNamespaces.CreateAsync(cp.Client, "events");
    }

    /// <summary>The operator, once its first cycle (at start-up) is done: what follows is the events' doing.</summary>
    private async Task<OperatorServer> OperatorAsync(params string[] extra)
    {
        var op = await OperatorServer.StartAsync(cp, ns, ["--poll-interval", "1h", "--min-event-sync-interval", "1s", .. extra]);
        var follower = extra.Contains("--leader-elect");
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !follower && !op.Output.Contains("Cycle success", StringComparison.Ordinal) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100);
        }

        return op;
    }

    private async Task<V1ConfigMap?> EntryOfAsync(string service) =>
        (await cp.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "agentlens.io/catalog=entry")).Items
            .FirstOrDefault(c => c.Data?["agenttype.json"]?.Contains($"\"name\":\"{service}\"", StringComparison.Ordinal) == true);

    private async Task<V1ConfigMap> EventuallyAsync(string service, Func<V1ConfigMap, bool> done, TimeSpan within)
    {
        V1ConfigMap? last = null;
        for (var deadline = DateTime.UtcNow + within; DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            last = await EntryOfAsync(service);
            if (last is not null && done(last))
            {
                return last;
            }
        }

        throw new TimeoutException($"entry of {service} not as expected within {within}: {last?.Data?["agenttype.json"] ?? "none"}");
    }

    private Task<V1Service> PatchAnnotationAsync(string service, string key, string value) =>
        cp.Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}", V1Patch.PatchType.MergePatch), service, ns);

    [Test]
    public async Task WithEvents_ANewServiceAppears_AnEditedTagFollows_AndADeletedServiceGoesOffline_BeforeAnyCycle()
    {
        await using var agent = await NodeAgent.StartA2aAsync();
        await using var op = await OperatorAsync("--events");

        await Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port, new() { ["agentlens.io/tags"] = "a" });
        var created = await EventuallyAsync("weather", c => c.Metadata.Labels["agentlens.io/lifecycle"] == "Active", Soon);
        await PatchAnnotationAsync("weather", "agentlens.io/tags", "a,b");
        var tagged = await EventuallyAsync("weather", c => c.Data["agenttype.json"].Contains("\"tags\":[\"a\",\"b\"]", StringComparison.Ordinal), Soon);
        var deleted = await Tools.KubectlAsync(cp.KubeconfigPath, "delete", "service", "weather", "-n", ns);
        Assert.That(deleted.ExitCode, Is.Zero, deleted.StandardError);
        var offline = await EventuallyAsync("weather", c => c.Metadata.Labels["agentlens.io/lifecycle"] == "Offline", Soon);

        Assert.That(created.Metadata.Name, Is.EqualTo(tagged.Metadata.Name).And.EqualTo(offline.Metadata.Name));
        Assert.That(offline.Data["agenttype.json"], Does.Contain("NotDiscovered"));
        Assert.That(op.Output, Does.Contain("Events: 1 Service change(s) reconciled at once"));
    }

    [Test]
    public async Task WithEvents_AnEditedStaticSourcesFile_BringsTheNextCycleForward()
    {
        await using var agent = await NodeAgent.StartA2aAsync();
        var file = Path.Combine(Path.GetTempPath(), $"agentlens-static-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "sources: []\n");
        try
        {
            // The start-up cycle has just run: let the change bring the next one forward within the test.
            await using var op = await OperatorAsync("--events", "--static-sources", file, "--min-early-cycle-interval", "1s");

            await File.WriteAllTextAsync(file, $"sources:\n  - {{name: partner, type: a2a, url: '{agent.BaseUrl}'}}\n");
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(2));

            await EventuallyAsync("partner", c => c.Metadata.Labels["agentlens.io/lifecycle"] == "Active", Soon);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task WithoutEvents_NothingChangesBeforeTheNextCycle()
    {
        await using var agent = await NodeAgent.StartA2aAsync();
        await using var op = await OperatorAsync();

        await Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port);
        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.That(await EntryOfAsync("weather"), Is.Null, "timer-driven by default: the next cycle is an hour away");
    }

    [Test]
    public async Task ABurstOfChanges_IsCoalesced_EachAgentCrawledOncePerReconcile()
    {
        var servers = new List<LoopbackServer>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                servers.Add(LoopbackServer.Json(SwitchableAgent.Card($"burst-{i}", "s")));
                // Not announcing yet: no annotation agentlens.io/type.
                await cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
                {
                    Metadata = new V1ObjectMeta { Name = $"burst-{i}", Annotations = new Dictionary<string, string> { ["agentlens.io/port"] = $"{servers[i].Port}" } },
                    Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
                }, ns);
            }

            await using var op = await OperatorAsync("--events", "--min-event-sync-interval", "3s");
            // Thirty changes to ten Services within a moment: announce each, then tag it twice.
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PatchAnnotationAsync($"burst-{i}", "agentlens.io/type", "a2a")));
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PatchAnnotationAsync($"burst-{i}", "agentlens.io/tags", "x")));
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PatchAnnotationAsync($"burst-{i}", "agentlens.io/tags", "x,y")));
            for (var i = 0; i < 10; i++)
            {
                await EventuallyAsync($"burst-{i}", c => c.Data["agenttype.json"].Contains("\"tags\":[\"x\",\"y\"]", StringComparison.Ordinal), Soon);
            }

            // The reconcile's summary line follows its writes; a second batch may follow one interval later.
            for (var deadline = DateTime.UtcNow + Soon; !op.Output.Contains("reconciled at once", StringComparison.Ordinal) && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(100);
            }

            await Task.Delay(TimeSpan.FromSeconds(4));
            var reconciles = op.Output.Split('\n').Count(l => l.Contains("reconciled at once", StringComparison.Ordinal));
            Assert.That(reconciles, Is.InRange(1, 3), op.Output);
            Assert.That(servers.Select(s => s.RequestCount), Has.All.InRange(1, reconciles), "each agent crawled at most once per reconcile");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task ReAnnouncingAnotherServicesEndpoint_IsJudgedByATargetedReconcile_NotAFullCycle()
    {
        await using var agent = await NodeAgent.StartA2aAsync();
        await using var op = await OperatorAsync("--events");
        await Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port);
        var owned = await EventuallyAsync("weather", c => c.Metadata.Labels["agentlens.io/lifecycle"] == "Active", Soon);

        // A later Service announcing the same endpoint, then re-annotated again and again.
        await Tenant.AnnounceAsync(cp.Client, ns, "copycat", "127.0.0.1", agent.Port);
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(0.7));
            await PatchAnnotationAsync("copycat", "agentlens.io/tags", $"t{i}");
        }

        List<Corev1Event> told = [];
        for (var deadline = DateTime.UtcNow + Soon; told.Count == 0 && DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            told = await Tenant.EventsAboutAsync(cp.Client, ns, "copycat");
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(told.Select(e => e.Reason), Has.Member("DuplicateAgent"), "the copycat is told, from a targeted reconcile");
        var cycles = op.Output.Split('\n').Count(l => l.Contains("Cycle success", StringComparison.Ordinal));
        Assert.That(cycles, Is.EqualTo(1), "only the start-up cycle: no full cycle was brought forward\n" + op.Output);
        var after = await EntryOfAsync("weather");
        Assert.That(after!.Metadata.Name, Is.EqualTo(owned.Metadata.Name));
        Assert.That(after.Data["agenttype.json"], Does.Contain($"\"name\":\"weather\"").And.Not.Contain("copycat"), "the owner keeps its entry");
    }

    [Test]
    public async Task AFollowerDoesNotReact_AndTheNewLeaderDoes()
    {
        var lease = $"events-{ns}";
        await cp.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = lease },
            Spec = new V1LeaseSpec { HolderIdentity = "another-replica", LeaseDurationSeconds = 3600, RenewTime = DateTime.UtcNow, AcquireTime = DateTime.UtcNow },
        }, ns);
        await using var agent = await NodeAgent.StartA2aAsync();
        await using var op = await OperatorAsync("--events", "--leader-elect", "--lease-name", lease, "--AgentLens:LeaderElection:RetryPeriod=250ms");

        await Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.That(await EntryOfAsync("weather"), Is.Null, "a follower writes nothing");

        // Failover: the other replica is gone; this one takes the Lease (its first cycle covers what it missed).
        await cp.Client.CoordinationV1.DeleteNamespacedLeaseAsync(lease, ns);
        await EventuallyAsync("weather", c => c.Metadata.Labels["agentlens.io/lifecycle"] == "Active", Soon);
        await Tenant.AnnounceAsync(cp.Client, ns, "docs", "127.0.0.1", agent.Port, new() { ["agentlens.io/path"] = "/docs" });

        await EventuallyAsync("docs", _ => true, Soon);
        for (var deadline = DateTime.UtcNow + Soon; !op.Output.Contains("reconciled at once", StringComparison.Ordinal) && DateTime.UtcNow < deadline;)
        {
            // The reconcile's summary line is logged after its writes.
            await Task.Delay(100);
        }

        Assert.That(op.Output, Does.Contain("reconciled at once"), "the new leader reacts to events");
    }

    [Test]
    public async Task TheWatchSurvivesAnApiServerRestart()
    {
        await using var agent = await NodeAgent.StartA2aAsync();
        await using var op = await OperatorAsync("--events");

        // The watch is live before the restart: a Service announced once the first cycle has written can only
        // arrive through it (the timer's next cycle is minutes away). A fixed wait raced the watch's first list.
        await Tenant.AnnounceAsync(cp.Client, ns, "probe", "127.0.0.1", agent.Port, new() { ["agentlens.io/path"] = "/probe" });
        await EventuallyAsync("probe", _ => true, TimeSpan.FromSeconds(45));
        await Tenant.AnnounceAsync(cp.Client, ns, "probe2", "127.0.0.1", agent.Port, new() { ["agentlens.io/path"] = "/probe2" });
        await EventuallyAsync("probe2", _ => true, TimeSpan.FromSeconds(45));

        await cp.StopApiServerAsync();
        await cp.StartApiServerAsync();
        await Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port);

        try
        {
            await EventuallyAsync("weather", c => c.Metadata.Labels["agentlens.io/lifecycle"] == "Active", TimeSpan.FromSeconds(45));
        }
        catch (TimeoutException)
        {
            await TestContext.Out.WriteLineAsync(op.Output);
            throw;
        }
    }
}
