using System.Net;
using System.Text.Json;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Issue #25: whoever holds the self-registration Role writes one malformed push entry, or a Lease renewed
/// "in year 9999". Before, either took both catalog APIs down (503 for everyone: Read threw, or the Lease
/// arithmetic overflowed and the cache never synced). Now the bad entry is its own problem, shown with a
/// problem that does not quote it, the odd Lease is read sanely, and both APIs answer 200.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class HostilePushEntryTests
{
    private const string Head = """{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"x"},"spec":{"protocol":"a2a","endpoint":"https://x.example","source":{"type":"push","name":"x"}}""";
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private async Task PushAsync(string ns, string name, string? json = null, string? lease = null)
    {
        var configMap = PushEntries.Build(name);
        if (json is not null)
        {
            configMap.Data["agenttype.json"] = json;
        }

        if (lease is not null)
        {
            configMap.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Lease] = lease };
        }

        await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns);
    }

    [Test]
    public async Task MalformedPushEntries_AndALeaseRenewedInYear9999_LeaveBothApisAnswering()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "hostile-push");
        await PushAsync(ns, "bad-time", Head + ""","status":{"offlineSince":"HOSTILE-not-a-time"}}""");
        await PushAsync(ns, "bad-null", Head + ""","status":{"capabilities":[null],"displayName":"HOSTILE"}}""");
        await PushAsync(ns, "good");
        await cp.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "far-future", Labels = new Dictionary<string, string> { [Annotations.AgentLeaseLabel] = "true" } },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = "far-future",
                LeaseDurationSeconds = 5,
                AcquireTime = new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(10), // MicroTime: the client writes a fraction only when there is one
                RenewTime = new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(10),
            },
        }, ns);
        await PushAsync(ns, "leased", lease: "far-future");
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-hostile-{Guid.NewGuid():N}");
        var (certFile, keyFile, _) = AggregatedApi.ServingCertificate(dir, "agentlens-api.svc");
        var port = Tools.FreePort();
        try
        {
            await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--apiserver-bind-address", $"127.0.0.1:{port}",
                "--apiserver-cert-file", certFile, "--apiserver-key-file", keyFile, "--apiserver-authorization-cache-ttl", "0s");

            using var response = await op.Http.GetAsync(op.BaseUrl);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the HTTP API");
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(text, Does.Not.Contain("HOSTILE"));
            using var listed = JsonDocument.Parse(text);
            var items = listed.RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!, i => i.Clone());
            Assert.That(items.Keys, Is.EquivalentTo(new[] { "bad-time", "bad-null", "good", "leased" }));
            Assert.That(items["bad-time"].GetProperty("problem").GetString(), Does.Contain("status.offlineSince"));
            Assert.That(items["bad-null"].GetProperty("problem").GetString(), Does.Contain("status.capabilities[0] is null"));
            Assert.That(items["good"].TryGetProperty("agentType", out _), Is.True);
            Assert.That(items["leased"].GetProperty("agentType").GetProperty("status").GetProperty("lifecycle").GetString(), Is.EqualTo("Active"),
                "a renewal dated in year 9999 counts from when it was seen");

            using var aggregator = AggregatedApi.AggregatorCertificate(cp);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            handler.ClientCertificates.Add(aggregator);
            using var direct = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/agentlens.io/v1alpha1/namespaces/{ns}/agenttypes");
            request.Headers.Add("X-Remote-User", "admin");
            request.Headers.Add("X-Remote-Group", "system:masters");
            using var agentTypes = await direct.SendAsync(request);
            Assert.That(agentTypes.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the AgentType API");
            using var served = JsonDocument.Parse(await agentTypes.Content.ReadAsStringAsync());
            var names = served.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()).ToList();
            Assert.That(names, Is.EquivalentTo(new[] { "good", "leased" }), "unreadable entries are not served as AgentTypes");

            // Not renewed again: five seconds (and the grace) after it was seen, it is Offline like any other.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string? lifecycle = null;
            while (DateTime.UtcNow < deadline && lifecycle != "Offline")
            {
                await Task.Delay(500);
                using var again = JsonDocument.Parse(await op.Http.GetStringAsync($"{op.BaseUrl}/leased"));
                lifecycle = again.RootElement.GetProperty("agentType").GetProperty("status").GetProperty("lifecycle").GetString();
            }

            Assert.That(lifecycle, Is.EqualTo("Offline"));
            Assert.That(op.Output, Does.Not.Contain("HOSTILE").And.Not.Contain("Unhandled"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
