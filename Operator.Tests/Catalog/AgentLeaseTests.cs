using System.Diagnostics;
using System.Text.Json;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// Self-registered agents whose liveness follows a Lease, against the real API server and a running
/// operator: what its catalog API and SSE watch show, the Events on the push entry, and the push ConfigMap
/// itself, which stays byte-identical throughout.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class AgentLeaseTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private async Task<V1ConfigMap> RegisterAsync(string ns, string name, string? lease)
    {
        var configMap = PushEntries.Build(name);
        if (lease is not null)
        {
            configMap.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Lease] = lease };
        }

        return await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns);
    }

    private Task<V1Lease> CreateLeaseAsync(string ns, string name, int seconds) =>
        cp.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [Annotations.AgentLeaseLabel] = "true" } },
            Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = seconds, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow },
        }, ns);

    /// <summary>What an agent or its sidecar does every few seconds.</summary>
    private async Task RenewAsync(string ns, string name)
    {
        var lease = await cp.Client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns);
        lease.Spec.RenewTime = DateTime.UtcNow;
        await cp.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns);
    }

    private static JsonElement Object(SseEvent e) => JsonDocument.Parse(e.Data!).RootElement.GetProperty("object");

    private static string Lifecycle(JsonElement item) => item.GetProperty("agentType").GetProperty("status").GetProperty("lifecycle").GetString()!;

    private static string? LeaseReason(JsonElement item) =>
        item.GetProperty("agentType").GetProperty("status").TryGetProperty("conditions", out var conditions)
            ? conditions.EnumerateArray().Where(c => c.GetProperty("type").GetString() == ConditionTypes.LeaseHeld).Select(c => c.GetProperty("reason").GetString()).FirstOrDefault()
            : null;

    [Test]
    public async Task LeaseRenewedThenAbandoned_GoesOfflineWithinLeasePlusTwoSeconds_AndBackWhenRenewed()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "lease");
        // A 6 s Lease renewed every 2 s: slack for a loaded machine, where the operator's start and the Lease
        // watch's delivery of a renewal can each take a few seconds (a renewal heard after the expiry it should
        // have prevented turns the entry Active again, behind the watcher's back).
        await CreateLeaseAsync(ns, "agent-lease", seconds: 6);
        var stored = await RegisterAsync(ns, "agent", "agent-lease");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");
        await RenewAsync(ns, "agent-lease");
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        var added = await watch.NextEventAsync();
        Assert.That(added.Type, Is.EqualTo("ADDED"));
        Assert.That((await watch.NextEventAsync()).Type, Is.EqualTo("SYNCED"));
        var live = added;
        if (Lifecycle(Object(live)) != "Active")
        {
            // A start slower than the Lease (a loaded machine): the renewal above brings it back.
            live = await watch.NextEventAsync(TimeSpan.FromSeconds(15));
        }

        Assert.That(Lifecycle(Object(live)), Is.EqualTo("Active"));
        Assert.That(LeaseReason(Object(live)), Is.EqualTo("Renewed"));

        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await RenewAsync(ns, "agent-lease");
        }

        var lastRenewal = Stopwatch.StartNew();
        var offline = await watch.NextEventAsync(TimeSpan.FromSeconds(15));
        var noticedAfter = lastRenewal.Elapsed;

        Assert.That(offline.Type, Is.EqualTo("MODIFIED"), "renewals alone changed nothing a watcher sees; expiry does");
        Assert.That(Lifecycle(Object(offline)), Is.EqualTo("Offline"), $"the first change after the renewals is the expiry, after {noticedAfter}: {offline.Data}");
        Assert.That(Lifecycle(Object(offline)), Is.EqualTo("Offline"));
        Assert.That(LeaseReason(Object(offline)), Is.EqualTo("LeaseExpired"));
        Assert.That(noticedAfter, Is.LessThan(TimeSpan.FromSeconds(6 + 2)), "within the lease duration + 2s of the last renewal");
        using var listed = JsonDocument.Parse(await op.Http.GetStringAsync(op.BaseUrl));
        Assert.That(Lifecycle(listed.RootElement.GetProperty("items")[0]), Is.EqualTo("Offline"), "the list shows it too");

        await RenewAsync(ns, "agent-lease");
        var back = await watch.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.That(back.Type, Is.EqualTo("MODIFIED"));
        Assert.That(Lifecycle(Object(back)), Is.EqualTo("Active"));

        // The leader records Events off the readers' path: allow them a moment to land.
        var reasons = new List<string>();
        for (var bound = Stopwatch.StartNew(); bound.Elapsed < TimeSpan.FromSeconds(10) && !(reasons.Contains("LeaseExpired") && reasons.Contains("LeaseRenewed")); await Task.Delay(200))
        {
            reasons = [.. (await cp.Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject.Name == "agent").Select(e => e.Reason)];
        }

        Assert.That(reasons, Does.Contain("LeaseExpired").And.Contain("LeaseRenewed"));
        var after = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync("agent", ns);
        Assert.That(after.Metadata.ResourceVersion, Is.EqualTo(stored.Metadata.ResourceVersion), "the push ConfigMap is never written");
        Assert.That(after.Data, Is.EqualTo(stored.Data));
    }

    [Test]
    public async Task LeaseThatDoesNotExist_IsLeaseMissing_NotACrash()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "lease");
        await RegisterAsync(ns, "ghost", "no-such-lease");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");

        using var listed = JsonDocument.Parse(await op.Http.GetStringAsync(op.BaseUrl));

        var item = listed.RootElement.GetProperty("items")[0];
        Assert.That(Lifecycle(item), Is.EqualTo("Offline"));
        Assert.That(LeaseReason(item), Is.EqualTo("LeaseMissing"));
        Assert.That(op.Output, Does.Not.Contain("Unhandled"));
    }

    [Test]
    public async Task PushEntryWithoutALease_BehavesAsBefore()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "lease");
        var stored = await RegisterAsync(ns, "plain", lease: null);
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");

        using var listed = JsonDocument.Parse(await op.Http.GetStringAsync(op.BaseUrl));

        var item = listed.RootElement.GetProperty("items")[0];
        Assert.That(Lifecycle(item), Is.EqualTo("Active"));
        Assert.That(LeaseReason(item), Is.Null);
        Assert.That(item.GetProperty("resourceVersion").GetString(), Is.EqualTo(stored.Metadata.ResourceVersion));
    }

    [Test]
    public async Task LeaseDeleted_GoesOffline_AndAfterTheRetentionIsNoLongerListed()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "lease");
        await CreateLeaseAsync(ns, "short-lived", seconds: 30);
        await RegisterAsync(ns, "agent", "short-lived");
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--retention", "2s");
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        Assert.That(Lifecycle(Object(await watch.NextEventAsync())), Is.EqualTo("Active"));
        await watch.NextEventAsync();

        await cp.Client.CoordinationV1.DeleteNamespacedLeaseAsync("short-lived", ns);

        var offline = await watch.NextEventAsync(TimeSpan.FromSeconds(15));
        Assert.That((offline.Type, Lifecycle(Object(offline)), LeaseReason(Object(offline))), Is.EqualTo(("MODIFIED", "Offline", "LeaseMissing")));
        var gone = await watch.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.That(gone.Type, Is.EqualTo("DELETED"));
        Assert.That(await cp.Client.CoreV1.ReadNamespacedConfigMapAsync("agent", ns), Is.Not.Null, "the ConfigMap itself stays");
    }

    [Test]
    public async Task Sample_WithTheDocumentedRenewal_IsActive()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "lease");
        var applied = await Tools.KubectlAsync(cp.KubeconfigPath, "apply", "--namespace", ns, "-f", Repo.Path("config", "samples", "agent-registration.yaml"));
        Assert.That(applied.ExitCode, Is.Zero, applied.StandardError);
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none");
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch");
        var added = await watch.NextEventAsync();
        Assert.That(LeaseReason(Object(added)), Is.EqualTo("LeaseExpired"), "a Lease nobody renewed yet holds nothing");
        await watch.NextEventAsync();

        // The renewal the sample documents, as a sidecar would run it.
        var renewTime = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var renewed = await Tools.KubectlAsync(cp.KubeconfigPath, "patch", "lease", "billing-agent", "--namespace", ns, "--type", "merge",
            "-p", $"{{\"spec\":{{\"renewTime\":\"{renewTime}\"}}}}");
        Assert.That(renewed.ExitCode, Is.Zero, renewed.StandardError);

        var active = await watch.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.That((active.Type, Lifecycle(Object(active)), LeaseReason(Object(active))), Is.EqualTo(("MODIFIED", "Active", "Renewed")));
    }
}
