using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class PushAndConflictTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static V1ConfigMap Push(string name, string endpoint, string? json = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["agentlens.io/catalog"] = "entry", ["agentlens.io/source"] = "push", ["agentlens.io/protocol"] = "a2a" },
        },
        Data = new Dictionary<string, string>
        {
            ["agenttype.json"] = json ?? $$$"""
                {"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"{{{name}}}"},
                 "spec":{"protocol":"a2a","endpoint":"{{{endpoint}}}","source":{"type":"push","name":"{{{name}}}"}},
                 "status":{"lifecycle":"Active","displayName":"Pushed by hand"}}
                """,
        },
    };

    /// <summary>
    /// A property test: whatever sequence of changes the discovered agents go through (seeded, so a failure
    /// is reproducible), push entries stay byte-identical and no second entry appears for their endpoints.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task PushEntries_StayByteIdenticalThroughRandomCycles(int seed)
    {
        var random = new Random(seed);
        using var h = await ReconcilerHarness.CreateAsync(cp);
        var agents = new List<SwitchableAgent>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add(new SwitchableAgent($"agent-{i}", "s"));
        }

        try
        {
            // One push entry claims an endpoint that discovery also finds; one is invalid; one is unrelated.
            var claimed = AgentEndpoint.Normalize(agents[0].BaseUrl);
            await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("push-claimed", claimed), h.StoreNamespace);
            await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("push-broken", "x", json: "{not json"), h.StoreNamespace);
            await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("push-other", "https://elsewhere.example"), h.StoreNamespace);
            var pristine = await PushSnapshotAsync(h.StoreNamespace);

            for (var cycle = 0; cycle < 12; cycle++)
            {
                var listed = agents.Where(_ => random.Next(4) > 0).Select((a, i) => ($"s{i}-{random.Next(3)}", a.BaseUrl)).ToArray();
                await h.WriteStaticAsync(listed);
                foreach (var agent in agents)
                {
                    switch (random.Next(3))
                    {
                        case 0: agent.Fail(); break;
                        case 1: agent.Serve("renamed", "s", $"x{random.Next(3)}"); break;
                        default: agent.Serve("agent", "s"); break;
                    }
                }

                h.Clock.Advance(TimeSpan.FromMinutes(random.Next(1, 600)));
                await h.CycleAsync();

                Assert.That(await PushSnapshotAsync(h.StoreNamespace), Is.EqualTo(pristine), $"cycle {cycle}");
                var managed = (await h.EntriesAsync()).Values.Where(e => !e.IsPush);
                Assert.That(managed.Select(e => e.Endpoint), Has.None.EqualTo(claimed), $"cycle {cycle}");
            }
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    private async Task<Dictionary<string, string>> PushSnapshotAsync(string ns)
    {
        var list = await cp.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "agentlens.io/source=push");
        return list.Items.ToDictionary(c => c.Metadata.Name, c =>
            $"{c.Metadata.ResourceVersion}|{string.Join(",", c.Metadata.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))}|{c.Data["agenttype.json"]}");
    }

    [Test]
    public async Task InvalidPushEntry_IsReportedAsAnEventOnIt()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await h.WriteStaticAsync();
        await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("push-broken", "x", json: """{"kind":"AgentType"}"""), h.StoreNamespace);

        await h.CycleAsync();

        var events = await cp.Client.CoreV1.ListNamespacedEventAsync(h.StoreNamespace, fieldSelector: "involvedObject.name=push-broken");
        Assert.That(events.Items.Select(e => e.Reason), Is.EqualTo(new[] { "PushEntryInvalid" }));
        Assert.That(events.Items[0].Type, Is.EqualTo("Warning"));
    }

    /// <summary>Issue #25: one malformed push entry used to throw out of Read and fail every cycle, quoting its text into the status.</summary>
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"bad"},"spec":{"protocol":"a2a","endpoint":"https://bad.example","source":{"type":"push","name":"bad"}},"status":{"offlineSince":"HOSTILE-not-a-time"}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"bad"},"spec":{"protocol":"a2a","endpoint":"https://bad.example","source":{"type":"push","name":"bad"}},"status":{"capabilities":[null],"displayName":"HOSTILE"}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"bad"},"spec":{"protocol":"a2a","endpoint":"https://bad.example","source":{"type":"push","name":"bad"}},"status":{"capabilities":[{"kind":"a2a.skill","name":"x","properties":{"HOSTILE":7}}]}}""")]
    public async Task MalformedPushEntry_IsThatEntrysProblem_TheCycleSucceeds_AndItsTextIsNeverEchoed(string json)
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("A", "one");
        await h.WriteStaticAsync(("a", agent.BaseUrl));
        await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("bad", "x", json: json), h.StoreNamespace);
        await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("good", "https://good.example"), h.StoreNamespace);

        var report = await h.CycleAsync();

        Assert.That(report.Result, Is.EqualTo("success"), report.Error);
        var entries = await h.EntriesAsync();
        Assert.That(entries["bad"].Problem, Is.Not.Null);
        Assert.That(entries["good"].Entry!.Status.DisplayName, Is.EqualTo("Pushed by hand"), "the other push entry is served");
        Assert.That(entries.Values.Count(e => !e.IsPush && e.Entry is not null), Is.EqualTo(1), "the discovered agent is catalogued");
        var events = await Tenant.EventsAboutAsync(cp.Client, h.StoreNamespace, "bad");
        Assert.That(events.Select(e => e.Reason), Is.EqualTo(new[] { "PushEntryInvalid" }));
        Assert.That(report.Error, Is.Null, "nothing for the status object to quote");
        foreach (var ev in (await cp.Client.CoreV1.ListNamespacedEventAsync(h.StoreNamespace)).Items)
        {
            Assert.That(ev.Message, Does.Not.Contain("HOSTILE"), ev.Reason);
        }

        Assert.That(h.Logs.Lines, Has.None.Contains("HOSTILE"));
    }

    [Test]
    public async Task PushEntryForADiscoveredEndpoint_ReplacesTheDiscoveredEntry()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("A", "one");
        await h.WriteStaticAsync(("a", agent.BaseUrl));
        await h.CycleAsync();
        Assert.That((await h.SingleAsync()).IsPush, Is.False);

        await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(Push("mine", AgentEndpoint.Normalize(agent.BaseUrl)), h.StoreNamespace);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();

        Assert.That((await h.SingleAsync()).Name, Is.EqualTo("mine"));
    }

    [Test]
    public async Task ConcurrentWriter_CausesConflicts_ButNoLostUpdate()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await using var agent = new SwitchableAgent("A", "one");
        await h.WriteStaticAsync(("a", agent.BaseUrl));
        await h.CycleAsync();
        var name = (await h.SingleAsync()).Name;

        // Someone else labels the entry between the cycle's read and its write: the write conflicts.
        agent.Serve("A", "one", "two");
        agent.OnNextRequest(async () =>
        {
            var cm = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync(name, h.StoreNamespace);
            cm.Metadata.Labels["example.com/owner"] = "alice";
            await cp.Client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, name, h.StoreNamespace);
        });
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var report = await h.CycleAsync();

        var entry = await h.SingleAsync();
        Assert.That(report.Counts.Conflicts, Is.EqualTo(1));
        Assert.That(report.Error, Is.Null);
        Assert.That(entry.Labels["example.com/owner"], Is.EqualTo("alice"), "the other writer's edit survives");
        Assert.That(entry.Entry!.Status.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "one", "two" }), "our update landed too");
    }

    [Test]
    public async Task WriterHammeringTheEntries_NeverCrashesACycle_AndEveryEditSurvives()
    {
        using var h = await ReconcilerHarness.CreateAsync(cp);
        var agents = Enumerable.Range(0, 3).Select(i => new SwitchableAgent($"a{i}", "s")).ToList();
        try
        {
            await h.WriteStaticAsync([.. agents.Select((a, i) => ($"a{i}", a.BaseUrl))]);
            await h.CycleAsync();
            var names = (await h.EntriesAsync()).Keys.ToList();
            using var stop = new CancellationTokenSource();
            var edits = 0;
            var writer = Task.Run(async () =>
            {
                for (var n = 0; n < 200 && !stop.IsCancellationRequested; n++)
                {
                    var target = names[n % names.Count];
                    try
                    {
                        var cm = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync(target, h.StoreNamespace);
                        cm.Metadata.Annotations["example.com/edit"] = n.ToString(CultureInfo.InvariantCulture);
                        await cp.Client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, target, h.StoreNamespace);
                        Interlocked.Increment(ref edits);
                    }
                    catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
                    {
                        // The operator won this round; the writer tries the next.
                    }
                }
            });

            for (var cycle = 0; cycle < 6; cycle++)
            {
                foreach (var agent in agents)
                {
                    agent.Serve("a", "s", $"v{cycle}");
                }

                h.Clock.Advance(TimeSpan.FromMinutes(5));
                var report = await h.CycleAsync();
                Assert.That(report.Error, Is.Null, $"cycle {cycle}");
            }

            await stop.CancelAsync();
            await writer;
            var entries = await h.EntriesAsync();
            Assert.That(entries.Values.Select(e => e.Entry!.Status.Capabilities.Last().Name), Is.All.EqualTo("v5"));
            Assert.That(edits, Is.GreaterThan(0));
            var stored = await cp.Client.CoreV1.ListNamespacedConfigMapAsync(h.StoreNamespace);
            Assert.That(stored.Items.Count(c => c.Metadata.Annotations?.ContainsKey("example.com/edit") == true), Is.EqualTo(3), "no edit was overwritten");
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }
}
