using System.Net;
using System.Net.Http.Headers;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Issue #25 on the read side: a tenant who may read its own namespace's AgentTypes tries to crowd everyone
/// else out of the watch slots, and to see more (or less) than the one visibility rule gives it. One operator
/// serves both APIs — the HTTP/SSE API with Kubernetes auth and the AgentType TLS port, read here with bearer
/// tokens sent straight to it — against the real API server, with real RBAC.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class ReaderShareTests
{
    private ControlPlane cp = null!;
    private string store = null!;
    private string teamA = null!;
    private string teamB = null!;
    private SwitchableAgent agentA = null!;
    private SwitchableAgent agentB = null!;
    private OperatorServer op = null!;
    private int tlsPort;
    private int metricsPort;
    // Closes a stream it stops reading at once, instead of draining it for reuse for up to two seconds.
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { Timeout = TimeSpan.FromSeconds(30) };
    private string readerToken = null!;
    private string adminToken = null!;
    private string listerToken = null!;

    [OneTimeSetUp]
    public async Task StartOperator()
    {
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "share-store");
        teamA = await TestNamespaces.CreateAsync(cp.Client, "share-a");
        teamB = await TestNamespaces.CreateAsync(cp.Client, "share-b");
        agentA = new SwitchableAgent("Weather", "forecast");
        agentB = new SwitchableAgent("Billing", "invoice");
        await Tenant.AnnounceAsync(cp.Client, teamA, "weather", "127.0.0.1", new Uri(agentA.BaseUrl).Port);
        await Tenant.AnnounceAsync(cp.Client, teamB, "billing", "127.0.0.1", new Uri(agentB.BaseUrl).Port);
        await PushEntries.CreateAsync(cp.Client, store, "pushed-agent");

        var read = new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["get", "list", "watch"] };
        await TestRbac.GrantAsync(cp.Client, teamA, "agt-reader", "reader", read);
        await TestRbac.GrantAsync(cp.Client, store, "cm-lister", "lister", TestRbac.Rule("configmaps", "get", "list", "watch"));
        var clusterRole = $"agt-admin-{store}";
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = clusterRole }, Rules = [read] });
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = clusterRole },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = clusterRole },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "admin", NamespaceProperty = store }],
        });
        readerToken = await TokenAsync(teamA, "reader");
        adminToken = await TokenAsync(store, "admin");
        listerToken = await TokenAsync(store, "lister");

        tlsPort = Tools.FreePort();
        metricsPort = Tools.FreePort();
        // Four watch slots: a user's share (50%) is two, a namespace's (25%) one, the reserve for cluster-wide
        // readers one. Heartbeats and bookmarks are far away: only a disconnect frees a slot.
        op = await OperatorServer.StartAsync(cp, store, "--namespaces", $"{teamA},{teamB}", "--api-auth", "kubernetes", "--api-max-watchers", "4", "--api-watchers-per-user", "0.5",
            "--api-heartbeat", "10m", "--AgentLens:ApiServer:BookmarkInterval=10m", "--apiserver-bind-address", $"127.0.0.1:{tlsPort}", "--metrics-bind-address", $"127.0.0.1:{metricsPort}");
        await Poll.UntilAsync(async () => await ListAsync(adminToken), s => s.Contains("Weather", StringComparison.Ordinal) && s.Contains("Billing", StringComparison.Ordinal));
    }

    /// <summary>Every test leaves with its watches gone: the next one starts from free slots.</summary>
    [TearDown]
    public async Task AllSlotsFree() => await Poll.UntilAsync(async () => (await OpenWatchersAsync()).ToString(CultureInfo.InvariantCulture), s => s == "0", seconds: 20);

    private async Task<int> OpenWatchersAsync()
    {
        var exposition = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        var line = exposition.Split('\n').First(l => l.StartsWith("agentlens_api_watchers", StringComparison.Ordinal));
        return (int)double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        http.Dispose();
        await op.DisposeAsync();
        await agentA.DisposeAsync();
        await agentB.DisposeAsync();
    }

    private async Task<string> TokenAsync(string ns, string name)
    {
        var (client, token) = await cp.ServiceAccountClientAsync(ns, name);
        client.Dispose();
        return token;
    }

    private async Task<string> ListAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, op.BaseUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    // The self-signed serving certificate of the operator under test: whom we talk to is known.
#pragma warning disable CA5359
    private static HttpClient Direct(int port) => new(new SocketsHttpHandler
    {
        MaxResponseDrainSize = 0,
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
#pragma warning restore CA5359

    /// <summary>A watch on the AgentType port, its headers read; null namespace: all namespaces.</summary>
    private static async Task<HttpResponseMessage> AgentTypeWatchAsync(HttpClient http, string token, string? ns, string query = "")
    {
        var path = ns is null ? "/apis/agentlens.io/v1alpha1/agenttypes" : $"/apis/agentlens.io/v1alpha1/namespaces/{ns}/agenttypes";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?watch=1{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static void AssertRefusedWithRetryAfter(HttpStatusCode status, HttpResponseMessage response, string what)
    {
        Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests), what);
        Assert.That(response.Headers.RetryAfter, Is.Not.Null, $"{what}: Retry-After");
    }

    [Test]
    public async Task TeamAReader_OverHttp_GetsTeamAsEntriesOnly()
    {
        var list = await ListAsync(readerToken);
        await using var watch = await SseClient.ConnectAsync(http, $"{op.BaseUrl}/watch", token: readerToken);
        Assert.That(watch.Status, Is.EqualTo(HttpStatusCode.OK));
        var first = await watch.NextEventAsync();
        var synced = await watch.NextEventAsync();

        Assert.That(list, Does.StartWith("200").And.Contain("Weather").And.Not.Contain("Billing").And.Not.Contain("pushed-agent"));
        Assert.That(watch.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.Type, Is.EqualTo("ADDED"));
        Assert.That(first.Data, Does.Contain("Weather"));
        Assert.That(synced.Type, Is.EqualTo("SYNCED"), "team-b's and the store's entries are not sent");
    }

    [Test]
    public async Task ConfigMapListerInTheStoreNamespace_NoLongerSeesEverything()
    {
        var list = await ListAsync(listerToken);

        Assert.That(list, Does.StartWith("403").And.Not.Contain("Weather").And.Not.Contain("Billing"));
        Assert.That(list, Does.Contain("agenttypes"), "the refusal names the permission that counts");
    }

    [Test]
    public async Task TeamAReaderFillingItsShare_LeavesTheAdminAWatch_OnBothApis()
    {
        var held = new List<IAsyncDisposable>();
        using var direct = Direct(tlsPort);
        var responses = new List<HttpResponseMessage>();
        try
        {
            // SSE: the reader opens watches until it is refused (the global cap is four).
            HttpStatusCode refused = HttpStatusCode.OK;
            HttpResponseMessage? refusal = null;
            for (var i = 0; i < 5 && refused == HttpStatusCode.OK; i++)
            {
                var sse = await SseClient.ConnectAsync(http, $"{op.BaseUrl}/watch", token: readerToken);
                held.Add(sse);
                refused = sse.Status;
                refusal = sse.Response;
            }

            AssertRefusedWithRetryAfter(refused, refusal!, "SSE");
            await using (var admin = await SseClient.ConnectAsync(http, $"{op.BaseUrl}/watch", token: adminToken))
            {
                Assert.That(admin.Status, Is.EqualTo(HttpStatusCode.OK), "the admin still gets an SSE watch");
            }

            // AgentType: the same reader, its own namespace.
            HttpResponseMessage? last = null;
            for (var i = 0; i < 5 && (last is null || last.StatusCode == HttpStatusCode.OK); i++)
            {
                last = await AgentTypeWatchAsync(direct, readerToken, teamA);
                responses.Add(last);
            }

            AssertRefusedWithRetryAfter(last!.StatusCode, last, "AgentType");
            var adminWatch = await AgentTypeWatchAsync(direct, adminToken, null);
            responses.Add(adminWatch);
            Assert.That(adminWatch.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"the admin still gets a cluster-wide AgentType watch: {(adminWatch.StatusCode == HttpStatusCode.OK ? string.Empty : await adminWatch.Content.ReadAsStringAsync())}");
        }
        finally
        {
            foreach (var h in held)
            {
                await h.DisposeAsync();
            }

            foreach (var r in responses)
            {
                r.Dispose();
            }
        }
    }

    [Test]
    public async Task ClientThatDisconnects_FreesItsSlot_BeforeAnyHeartbeat()
    {
        var sse = await SseClient.ConnectAsync(http, $"{op.BaseUrl}/watch", token: readerToken);
        using var direct = Direct(tlsPort);
        var watch = await AgentTypeWatchAsync(direct, adminToken, null);
        var held = await OpenWatchersAsync();

        await sse.DisposeAsync();
        watch.Dispose();
        direct.Dispose();

        Assert.That(sse.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(watch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(held, Is.EqualTo(2));
        // Heartbeats and bookmarks are ten minutes away: only noticing the disconnect frees the slots.
        Assert.That(await Poll.UntilAsync(async () => (await OpenWatchersAsync()).ToString(CultureInfo.InvariantCulture), s => s == "0", seconds: 20), Is.EqualTo("0"));
    }

    [Test]
    public async Task HugeTimeoutSeconds_IsClampedNotAServerError()
    {
        using var direct = Direct(tlsPort);
        using var watch = await AgentTypeWatchAsync(direct, adminToken, null, "&timeoutSeconds=99999999");

        Assert.That(watch.StatusCode, Is.EqualTo(HttpStatusCode.OK), watch.StatusCode == HttpStatusCode.OK ? string.Empty : await watch.Content.ReadAsStringAsync());
    }
}
