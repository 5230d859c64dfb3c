using System.Net;
using System.Net.Http.Headers;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Issue #19: after every watcher disconnects at once, a new watcher is admitted at once, on both watch
/// kinds. One user may fill the whole cap here; heartbeats and bookmarks are ten minutes away, so only
/// noticing each disconnect (the request aborted) gives the slots back.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class MassDisconnectTests
{
    private const int Cap = 200;
    private ControlPlane cp = null!;
    private OperatorServer op = null!;
    private string token = null!;
    private int tlsPort;
    private int metricsPort;
    private readonly HttpClient metrics = new() { Timeout = TimeSpan.FromSeconds(30) };

    [OneTimeSetUp]
    public async Task StartOperator()
    {
        cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "mass-store");
        await PushEntries.CreateAsync(cp.Client, store, "pushed-agent");
        var role = $"agt-mass-{store}";
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = role },
            Rules = [new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["get", "list", "watch"] }],
        });
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = role },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "watcher", NamespaceProperty = store }],
        });
        var (client, t) = await cp.ServiceAccountClientAsync(store, "watcher");
        client.Dispose();
        token = t;

        tlsPort = Tools.FreePort();
        metricsPort = Tools.FreePort();
        op = await OperatorServer.StartAsync(cp, store, "--api-auth", "kubernetes", "--api-max-watchers", $"{Cap}",
            "--api-watchers-per-user", "1", "--api-watchers-per-namespace", "1", "--api-watcher-reserve", "0",
            "--api-heartbeat", "10m", "--AgentLens:ApiServer:BookmarkInterval=10m",
            "--apiserver-bind-address", $"127.0.0.1:{tlsPort}", "--metrics-bind-address", $"127.0.0.1:{metricsPort}");
        // One list on each API first: the token's review and access are then cached, and the crowd below is
        // not refused by the rate of new tokens (a different defence from the watch cap).
        using var warm = Client();
        foreach (var url in new[] { op.BaseUrl, $"https://127.0.0.1:{tlsPort}/apis/agentlens.io/v1alpha1/agenttypes" })
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(250))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await warm.SendAsync(request);
                if (response.IsSuccessStatusCode || DateTime.UtcNow > deadline)
                {
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
                    break;
                }
            }
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        metrics.Dispose();
        await op.DisposeAsync();
    }

    /// <summary>Each test starts from free slots (the previous one's last watches close as it ends).</summary>
    [SetUp]
    public async Task NoWatchersOpen() => Assert.That(await OpenWatchersAfterAsync(TimeSpan.FromSeconds(30)), Is.Zero);

    [TestCase(false, TestName = "CapOfSseWatchersGoneAtOnce_TheNextWatchOfEachKindIsAdmitted")]
    [TestCase(true, TestName = "CapOfAgentTypeWatchersGoneAtOnce_TheNextWatchOfEachKindIsAdmitted")]
    public async Task CapOfWatchersGoneAtOnce_TheNextWatchOfEachKindIsAdmitted(bool agentTypes)
    {
        using var crowd = Client();
        var watches = new List<HttpResponseMessage>();
        // Opened a few at a time (TLS handshakes on a small machine), dropped all at once.
        foreach (var batch in Enumerable.Range(0, Cap).Chunk(20))
        {
            watches.AddRange(await Task.WhenAll(batch.Select(_ => WatchAsync(crowd, agentTypes))));
        }

        using var overCap = await WatchAsync(crowd, agentTypes);
        var statuses = watches.Select(w => w.StatusCode).ToList();

        // With nothing left to drain, disposing a response closes its connection: the server sees every client go.
        Parallel.ForEach(watches, w => w.Dispose());
        // The gauge is the admission's count; heartbeats are ten minutes away, so only the disconnects can bring it to zero.
        var open = await OpenWatchersAfterAsync(TimeSpan.FromSeconds(60));
        using var fresh = Client();
        using var nextSse = await WatchAsync(fresh, agentTypes: false);
        using var nextAgentType = await WatchAsync(fresh, agentTypes: true);

        Assert.That(statuses, Has.All.EqualTo(HttpStatusCode.OK), "the crowd fills the cap");
        Assert.That(overCap.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the cap is full");
        Assert.That(open, Is.Zero, "every slot is given back on disconnect");
        Assert.That(nextSse.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the next SSE watch, first try");
        Assert.That(nextAgentType.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the next AgentType watch, first try");
    }

    // Closes a stream it stops reading at once, instead of draining it for reuse for up to two seconds.
#pragma warning disable CA5359 // the self-signed serving certificate of the operator under test
    private static HttpClient Client() => new(new SocketsHttpHandler
    {
        MaxResponseDrainSize = 0,
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { Timeout = TimeSpan.FromSeconds(60) };
#pragma warning restore CA5359

    /// <summary>Opens a watch and reads only its headers; the stream stays open until the response is disposed.</summary>
    private async Task<HttpResponseMessage> WatchAsync(HttpClient http, bool agentTypes)
    {
        var url = agentTypes ? $"https://127.0.0.1:{tlsPort}/apis/agentlens.io/v1alpha1/agenttypes?watch=1" : $"{op.BaseUrl}/watch";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd(agentTypes ? "application/json" : "text/event-stream");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>The open-watchers gauge once it reads zero, or what it read when the bound ran out.</summary>
    private async Task<int> OpenWatchersAfterAsync(TimeSpan bound)
    {
        var open = -1;
        for (var deadline = DateTime.UtcNow + bound; DateTime.UtcNow < deadline && open != 0; await Task.Delay(100))
        {
            var exposition = await metrics.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
            var line = exposition.Split('\n').First(l => l.StartsWith("agentlens_api_watchers", StringComparison.Ordinal));
            open = (int)double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
        }

        return open;
    }
}
