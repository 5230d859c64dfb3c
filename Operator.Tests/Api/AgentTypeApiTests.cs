using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api;

/// <summary>
/// <c>kubectl get agenttypes</c> for real: the operator as a process serving agentlens.io/v1alpha1 on TLS,
/// registered as an APIService (with a CA bundle, so kube-apiserver verifies it) in the test API server
/// with the aggregation layer on, and the real kubectl, impersonating users for RBAC.
/// Two teams each announce an agent with an annotated Service; the store namespace holds a push entry.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class AgentTypeApiTests
{
    private const string ApiService = "agentlens-api";
    private ControlPlane cp = null!;
    private string store = null!;
    private string teamA = null!;
    private string teamB = null!;
    private string dir = null!;
    private int port;
    private NodeAgent agentA = null!;
    private NodeAgent agentB = null!;
    private OperatorServer op = null!;

    [OneTimeSetUp]
    public async Task StartOperatorBehindTheAggregator()
    {
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "agt-store");
        teamA = await TestNamespaces.CreateAsync(cp.Client, "team-a");
        teamB = await TestNamespaces.CreateAsync(cp.Client, "team-b");
        agentA = await NodeAgent.StartA2aAsync("Weather Agent");
        agentB = await NodeAgent.StartA2aAsync("Billing Agent");
        await AnnounceAsync(teamA, "weather", agentA.Port, "forecasting");
        await AnnounceAsync(teamB, "billing", agentB.Port, "finance");
        await PushEntries.CreateAsync(cp.Client, store, "pushed-agent");

        dir = Path.Combine(Path.GetTempPath(), $"agentlens-agt-{Guid.NewGuid():N}");
        var (certFile, keyFile, caPem) = AggregatedApi.ServingCertificate(dir, $"{ApiService}.{store}.svc");
        port = Tools.FreePort();
        op = await OperatorServer.StartAsync(cp, store, "--namespaces", $"{teamA},{teamB}", "--poll-interval", "2s",
            "--apiserver-bind-address", $"127.0.0.1:{port}", "--apiserver-cert-file", certFile, "--apiserver-key-file", keyFile,
            "--apiserver-authorization-cache-ttl", "0s", "--AgentLens:ApiServer:BookmarkInterval=1s");
        await AggregatedApi.RegisterAsync(cp.Client, store, ApiService, port, caPem);
        // Both teams' agents crawled and Active, and the push entry: three Active rows.
        await Poll.UntilAsync(async () => (await KubectlAsync("get", "agt", "-A")).StandardOutput, s => s.Split("Active").Length - 1 >= 3);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await AggregatedApi.UnregisterAsync(cp.Client);
        await op.DisposeAsync();
        await agentA.DisposeAsync();
        await agentB.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private Task<V1Service> AnnounceAsync(string ns, string name, int agentPort, string team) => cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a", ["agentlens.io/port"] = $"{agentPort}", ["agentlens.io/team"] = team },
        },
        Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
    }, ns);

    // kubectl's discovery cache lives in the test's folder: a stale one from an earlier run must not hide the group.
    private Task<ProcessResult> KubectlAsync(params string[] args) => Tools.KubectlAsync(cp.KubeconfigPath, ["--cache-dir", Path.Combine(dir, "kube-cache"), .. args]);

    private static string[] Row(string output, string name) =>
        output.Split('\n').First(l => l.Contains(name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private async Task<string> EntryNameAsync(string ns) =>
        (await cp.Client.CoreV1.ListNamespacedConfigMapAsync(store, labelSelector: $"agentlens.io/source-namespace={ns}")).Items.Single().Metadata.Name;

    [Test]
    public async Task GetAll_ListsEachTeamsAgentInItsOwnNamespace_WithTheCatalogColumns()
    {
        var output = await Poll.UntilAsync(async () => (await KubectlAsync("get", "agenttypes", "-A")).StandardOutput,
            s => s.Contains(teamA, StringComparison.Ordinal) && s.Contains(teamB, StringComparison.Ordinal) && s.Contains("Active", StringComparison.Ordinal));
        var nameA = await EntryNameAsync(teamA);

        Assert.That(output.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "NAMESPACE", "NAME", "PROTOCOL", "LIFECYCLE", "CAPABILITIES", "VERSION", "TEAM", "AGE" }));
        Assert.That(Row(output, nameA), Is.EqualTo(new[] { teamA, nameA, "a2a", "Active", "2", "skills", "1.2.0", "forecasting", Row(output, nameA)[^1] }));
        Assert.That(Row(output, "pushed-agent")[0], Is.EqualTo(store), "a push entry belongs to the store namespace");
        Assert.That(Row(output, await EntryNameAsync(teamB))[0], Is.EqualTo(teamB));
    }

    [Test]
    public async Task Wide_AddsEndpointAndSource_AndShortNameWorks()
    {
        var output = (await KubectlAsync("get", "agt", "-n", teamA, "-o", "wide")).StandardOutput;

        Assert.That(output.Split('\n')[0], Does.Contain("ENDPOINT").And.Contain("SOURCE").And.Contain("SIGNED"));
        Assert.That(output, Does.Contain($"http://127.0.0.1:{agentA.Port}").And.Contain($"kubernetes:{teamA}/weather").And.Contain("unsigned"));
        Assert.That(output, Does.Not.Contain(teamB));
    }

    [Test]
    public async Task Yaml_IsTheStoredEntryUnderKubernetesMetadata()
    {
        var name = await EntryNameAsync(teamA);
        var result = await KubectlAsync("get", "agt", "-n", teamA, name, "-o", "json");
        var served = JsonNode.Parse(result.StandardOutput)!;
        var stored = JsonNode.Parse((await cp.Client.CoreV1.ReadNamespacedConfigMapAsync(name, store)).Data["agenttype.json"])!;

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        Assert.That((string?)served["apiVersion"], Is.EqualTo("agentlens.io/v1alpha1"));
        Assert.That((string?)served["kind"], Is.EqualTo("AgentType"));
        Assert.That((string?)served["metadata"]!["namespace"], Is.EqualTo(teamA));
        Assert.That((string?)served["metadata"]!["labels"]!["agentlens.io/protocol"], Is.EqualTo("a2a"));
        Assert.That(JsonNode.DeepEquals(served["spec"], stored["spec"]), Is.True, "spec as stored");
        Assert.That(JsonNode.DeepEquals(served["status"], stored["status"]), Is.True, "status as stored");
    }

    [Test]
    public async Task LabelAndFieldSelectors_FilterOnTheServer()
    {
        var mcp = await KubectlAsync("get", "agt", "-A", "-l", "agentlens.io/protocol=mcp,agentlens.io/lifecycle=Active");
        var teamBOnly = await KubectlAsync("get", "agt", "-A", "--field-selector", $"metadata.namespace={teamB},spec.protocol=a2a");
        var offline = await KubectlAsync("get", "agt", "-A", "--field-selector", "status.lifecycle=Offline");
        var unsupported = await KubectlAsync("get", "agt", "-A", "--field-selector", "spec.team=x");

        Assert.That(mcp.StandardOutput + mcp.StandardError, Does.Contain("No resources found"));
        Assert.That(teamBOnly.StandardOutput, Does.Contain(teamB).And.Not.Contain(teamA).And.Not.Contain("pushed-agent"));
        Assert.That(offline.StandardOutput + offline.StandardError, Does.Contain("No resources found"));
        Assert.That(unsupported.ExitCode, Is.Not.Zero);
        Assert.That(unsupported.StandardError, Does.Contain("field label not supported: spec.team"));
    }

    [Test]
    public async Task DescribeAndExplain_Work()
    {
        var describe = await KubectlAsync("describe", "agt", "-n", teamA, await EntryNameAsync(teamA));
        // kube-apiserver merges the OpenAPI document of a new APIService in the background.
        var explain = await Poll.UntilAsync(async () => (await KubectlAsync("explain", "agenttypes.status.capabilities")).StandardOutput, s => s.Contains("FIELDS", StringComparison.Ordinal));
        var resources = await KubectlAsync("api-resources", "--api-group", "agentlens.io");

        Assert.That(describe.ExitCode, Is.Zero, describe.StandardError);
        Assert.That(describe.StandardOutput, Does.Contain("Kind:         AgentType").And.Contain("Lifecycle:").And.Contain("forecast"));
        Assert.That(explain, Does.Contain("capabilities").And.Contain("One capability.").And.Contain("AgentType"));
        Assert.That(resources.StandardOutput, Does.Contain("agenttypes").And.Contain("agt").And.Contain("AgentType"));
    }

    [Test]
    public async Task Watch_SeesAnAgentAppearChangeLifecycleAndGo_InOrder()
    {
        await using var watch = KubectlStream.Start(cp.KubeconfigPath, "--cache-dir", Path.Combine(dir, "kube-cache"), "get", "agt", "-n", store, "-w", "--output-watch-events");
        await watch.NextMatchingAsync(l => l.Contains("pushed-agent", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        await PushEntries.CreateAsync(cp.Client, store, "watched-agent");
        var added = await watch.NextMatchingAsync(l => l.Contains("watched-agent", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await PushEntries.UpdateAsync(cp.Client, store, "watched-agent", lifecycle: "Offline");
        var modified = await watch.NextMatchingAsync(l => l.Contains("watched-agent", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await cp.Client.CoreV1.DeleteNamespacedConfigMapAsync("watched-agent", store);
        var deleted = await watch.NextMatchingAsync(l => l.Contains("watched-agent", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.That(added, Does.StartWith("ADDED").And.Contain("Active"), watch.Seen);
        Assert.That(modified, Does.StartWith("MODIFIED").And.Contain("Offline"), watch.Seen);
        Assert.That(deleted, Does.StartWith("DELETED"), watch.Seen);
    }

    [Test]
    public async Task Rbac_AUserWhoMayReadTeamA_SeesOnlyTeamA()
    {
        var user = $"alice-{store}";
        var role = KubernetesYaml.Deserialize<V1ClusterRole>(await File.ReadAllTextAsync(Repo.Path("config", "rbac", "agenttypes_viewer_role.yaml")));
        role.Metadata.Name = $"agenttypes-view-{store}";
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleAsync(role);
        await cp.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "agenttypes-view" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role.Metadata.Name },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, teamA);

        var own = await KubectlAsync("get", "agt", "-n", teamA, "--as", user);
        var other = await KubectlAsync("get", "agt", "-n", teamB, "--as", user);
        var all = await KubectlAsync("get", "agt", "-A", "--as", user);
        var canOwn = await KubectlAsync("auth", "can-i", "list", "agenttypes.agentlens.io", "-n", teamA, "--as", user);
        var canOther = await KubectlAsync("auth", "can-i", "list", "agenttypes.agentlens.io", "-n", teamB, "--as", user);

        Assert.That(own.ExitCode, Is.Zero, own.StandardError);
        Assert.That(own.StandardOutput, Does.Contain(await EntryNameAsync(teamA)));
        Assert.That(other.ExitCode, Is.Not.Zero);
        Assert.That(other.StandardError, Does.Contain("Forbidden").And.Contain($"cannot list resource \"agenttypes\" in API group \"agentlens.io\" in the namespace \"{teamB}\""));
        Assert.That(all.ExitCode, Is.Not.Zero);
        Assert.That(all.StandardError, Does.Contain("Forbidden").And.Contain("at the cluster scope"));
        Assert.That(canOwn.StandardOutput.Trim(), Is.EqualTo("yes"));
        Assert.That(canOther.StandardOutput.Trim(), Is.EqualTo("no"));
    }

    [Test]
    public async Task Writes_AreRefusedAsMethodNotAllowed()
    {
        var name = await EntryNameAsync(teamA);
        var delete = await KubectlAsync("delete", "agt", "-n", teamA, name);
        var stillThere = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync(name, store);

        Assert.That(delete.ExitCode, Is.Not.Zero);
        Assert.That(delete.StandardError, Does.Contain("MethodNotAllowed").Or.Contain("does not allow this method"));
        Assert.That(stillThere, Is.Not.Null);
    }

    private HttpClient Direct(X509Certificate2? clientCertificate)
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        if (clientCertificate is not null)
        {
            handler.ClientCertificates.Add(clientCertificate);
        }

        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<HttpStatusCode> GetDirectAsync(X509Certificate2? certificate, string user, string group, string? token = null)
    {
        using var http = Direct(certificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/agentlens.io/v1alpha1/namespaces/{teamA}/agenttypes");
        request.Headers.Add("X-Remote-User", user);
        request.Headers.Add("X-Remote-Group", group);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public async Task TlsPort_BelievesUserHeadersOnlyFromTheAggregatorsCertificate()
    {
        using var aggregator = AggregatedApi.AggregatorCertificate(cp);
        using var wrongName = AggregatedApi.ClientCertificate(cp, "not-the-front-proxy");
        using var selfMade = AggregatedApi.ClientCertificate(cp, "front-proxy-client", signedByFrontProxyCa: false);

        Assert.That(await GetDirectAsync(null, "mallory", "system:masters"), Is.EqualTo(HttpStatusCode.Unauthorized), "headers without a certificate");
        Assert.That(await GetDirectAsync(selfMade, "mallory", "system:masters"), Is.EqualTo(HttpStatusCode.Unauthorized), "a certificate the front-proxy CA did not sign");
        Assert.That(await GetDirectAsync(wrongName, "mallory", "system:masters"), Is.EqualTo(HttpStatusCode.Unauthorized), "a common name that is not allowed");
        Assert.That(await GetDirectAsync(aggregator, "nobody", "nobodies"), Is.EqualTo(HttpStatusCode.Forbidden), "the aggregator's user, authorized by SubjectAccessReview");
        Assert.That(await GetDirectAsync(aggregator, "admin", "system:masters"), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task TlsPort_TakesABearerTokenSentStraightToIt()
    {
        await TestRbac.GrantAsync(cp.Client, teamA, "agt-reader", "agt-reader", new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["list"] });
        var (reader, readerToken) = await cp.ServiceAccountClientAsync(teamA, "agt-reader");
        var (stranger, strangerToken) = await cp.ServiceAccountClientAsync(teamA, "stranger");
        reader.Dispose();
        stranger.Dispose();

        Assert.That(await GetDirectAsync(null, "ignored", "system:masters", readerToken), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetDirectAsync(null, "ignored", "system:masters", strangerToken), Is.EqualTo(HttpStatusCode.Forbidden), "the headers count for nothing with a token");
        Assert.That(await GetDirectAsync(null, "ignored", "system:masters", "not-a-token"), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>A watch through kube-apiserver, read as raw events.</summary>
    private async Task<(HttpResponseMessage Response, StreamReader Reader, HttpClient Http)> WatchThroughApiServerAsync(string resourceVersion)
    {
        var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cp.Configuration.AccessToken);
        var response = await http.GetAsync($"{cp.Configuration.Host}/apis/agentlens.io/v1alpha1/namespaces/{store}/agenttypes?watch=1&allowWatchBookmarks=true&resourceVersion={resourceVersion}",
            HttpCompletionOption.ResponseHeadersRead);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync()), http);
    }

    /// <summary>The list's resourceVersion, read through kube-apiserver (kubectl rebuilds lists and drops it).</summary>
    private async Task<string> ListVersionAsync()
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cp.Configuration.AccessToken);
        var list = JsonNode.Parse(await http.GetStringAsync($"{cp.Configuration.Host}/apis/agentlens.io/v1alpha1/namespaces/{store}/agenttypes"))!;
        var version = (string?)list["metadata"]!["resourceVersion"];
        Assert.That(version, Is.Not.Null.And.Not.Empty);
        return version!;
    }

    [Test]
    public async Task Watch_TooOldVersion_Is410Expired_SoTheClientRelists()
    {
        var (response, reader, http) = await WatchThroughApiServerAsync("1");
        using (http)
        using (response)
        using (reader)
        {
            var first = JsonNode.Parse((await reader.ReadLineAsync())!)!;

            Assert.That((string?)first["type"], Is.EqualTo("ERROR"));
            Assert.That((int?)first["object"]!["code"], Is.EqualTo(410));
            Assert.That((string?)first["object"]!["reason"], Is.EqualTo("Expired"));
        }
    }

    [Test]
    public async Task Watch_WithBookmarksAllowed_GetsBookmarksAtTheLatestVersion()
    {
        var version = await ListVersionAsync();
        var (response, reader, http) = await WatchThroughApiServerAsync(version);
        using (http)
        using (response)
        using (reader)
        {
            using var cut = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            JsonNode? bookmark = null;
            while (bookmark is null && await reader.ReadLineAsync(cut.Token) is { } line)
            {
                var e = JsonNode.Parse(line)!;
                bookmark = (string?)e["type"] == "BOOKMARK" ? e : null;
            }

            Assert.That((string?)bookmark!["object"]!["kind"], Is.EqualTo("AgentType"));
            Assert.That(long.Parse((string)bookmark["object"]!["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture),
                Is.GreaterThanOrEqualTo(long.Parse(version, CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public async Task ApiServerRestart_TheWatchResumesFromItsVersion_AndNothingIsLost()
    {
        var version = await ListVersionAsync();
        var (response, reader, http) = await WatchThroughApiServerAsync(version);
        string? line;
        using (http)
        using (response)
        using (reader)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await PushEntries.CreateAsync(cp.Client, store, "before-restart");
            do
            {
                line = await reader.ReadLineAsync();
                if (line is not null && JsonNode.Parse(line)!["object"]!["metadata"]!["resourceVersion"] is { } rv)
                {
                    version = (string)rv!;
                }
            }
            while (line is not null && !line.Contains("before-restart", StringComparison.Ordinal));

            Assert.That(line, Does.Contain("\"type\":\"ADDED\""));
            await cp.StopApiServerAsync();
        }

        await cp.StartApiServerAsync();
        // Written while nobody watches: the resumed watch must still deliver it.
        await PushEntries.CreateAsync(cp.Client, store, "after-restart");
        await AggregatedApi.WaitAvailableAsync(cp.Client);

        var resumed = await Poll.UntilAsync(async () =>
        {
            var (again, againReader, againHttp) = await WatchThroughApiServerAsync(version);
            using (againHttp)
            using (again)
            using (againReader)
            {
                if (again.StatusCode != HttpStatusCode.OK)
                {
                    return string.Empty;
                }

                using var cut = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var seen = new List<string>();
                try
                {
                    while (await againReader.ReadLineAsync(cut.Token) is { } next)
                    {
                        seen.Add(next);
                        if (next.Contains("after-restart", StringComparison.Ordinal))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // Read what came.
                }

                return string.Join('\n', seen);
            }
        }, s => s.Contains("after-restart", StringComparison.Ordinal));

        Assert.That(resumed, Does.Not.Contain("before-restart"), "resumed after what was seen, not from the start");
        Assert.That(resumed, Does.Not.Contain("\"type\":\"ERROR\""));
        Assert.That(resumed.Split('\n').Last(), Does.Contain("\"type\":\"ADDED\"").And.Contain("after-restart"));
    }
}
