using System.Text.Json.Nodes;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// A fleet on loopback: three real control planes — the hub (the shared one) and two members, each with its
/// own operator serving agentlens.io/v1alpha1 through its aggregation layer, and its own sample agents.
/// Member A is named by the About API (a ClusterProperty), member B by --cluster-name; B is itself a hub
/// federating A, so the hub sees entries another hub already federated and must leave them. The hub reads
/// its members from Secrets holding their kubeconfigs. Every wait is bounded.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class FederationTests
{
    private const string ApiService = "agentlens-api";
    private readonly string suffix = $"{Environment.ProcessId % 10000}-{Random.Shared.Next(1000, 9999)}";
    private readonly List<IAsyncDisposable> stops = [];
    private ControlPlane hub = null!;
    private ControlPlane memberA = null!;
    private ControlPlane memberB = null!;
    private string dir = null!;
    private string store = null!;
    private string teamA = null!;
    private string teamB = null!;

    [OneTimeSetUp]
    public async Task StartTheFleet()
    {
        dir = Path.Combine(Path.GetTempPath(), $"agentlens-fed-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        (store, teamA, teamB) = ($"fed-store-{suffix}", $"team-a-{suffix}", $"team-b-{suffix}");
        hub = await ControlPlane.SharedAsync();
        var members = await Task.WhenAll(ControlPlane.StartOwnAsync(), ControlPlane.StartOwnAsync());
        (memberA, memberB) = (members[0], members[1]);
        foreach (var cp in (ControlPlane[])[hub, memberA, memberB])
        {
            foreach (var ns in (string[])[store, teamA, teamB])
            {
                await cp.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            }
        }

        // Member A learns its name from the About API.
        var crd = await Tools.KubectlAsync(memberA.KubeconfigPath, "apply", "-f", Path.Combine(AppContext.BaseDirectory, "Fixtures", "federation", "clusterproperty-crd.yaml"));
        Assert.That(crd.ExitCode, Is.Zero, crd.StandardError);
        await Poll.UntilAsync(async () => (await Tools.KubectlAsync(memberA.KubeconfigPath, "get", "clusterproperties")).StandardError, e => !e.Contains("the server doesn't have", StringComparison.Ordinal), 30);
        await memberA.Client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "about.k8s.io/v1alpha1",
            ["kind"] = "ClusterProperty",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "cluster.clusterset.k8s.io" },
            ["spec"] = new Dictionary<string, object> { ["value"] = "member-a" },
        }, "about.k8s.io", "v1alpha1", "clusterproperties");

        await AnnounceAsync(hub, teamA, "hub-agent", "Hub Agent");
        await AnnounceAsync(memberA, teamA, "weather", "Weather Agent");
        await AnnounceAsync(memberA, teamB, "billing", "Billing Agent");
        await AnnounceAsync(memberB, teamA, "travel", "Travel Agent");

        // Member B is a hub of member A; the hub, of both.
        await MemberSecretAsync(memberB, "member-a", memberA);
        await MemberSecretAsync(hub, "member-a", memberA);
        await MemberSecretAsync(hub, "member-b", memberB);
        await StartOperatorAsync(memberA, "a");
        await StartOperatorAsync(memberB, "b", "--cluster-name", "member-b", "--federation", "--federation-grace-period", "2s");
        // ClusterProfiles name members too; the hub's own credential provider (an exec plugin) logs in.
        var profiles = await Tools.KubectlAsync(hub.KubeconfigPath, "apply", "-f", Path.Combine(AppContext.BaseDirectory, "Fixtures", "federation", "clusterprofile-crd.yaml"));
        Assert.That(profiles.ExitCode, Is.Zero, profiles.StandardError);
        var plugin = Path.Combine(dir, "token-plugin.sh");
        await File.WriteAllTextAsync(plugin, "#!/bin/sh\nprintf '%s' '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + memberB.Configuration.AccessToken + "\"}}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var providers = Path.Combine(dir, "providers.json");
        await File.WriteAllTextAsync(providers, $"{{\"providers\":[{{\"name\":\"test-token\",\"execConfig\":{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"command\":\"{plugin}\"}}}}]}}");
        await StartOperatorAsync(hub, "hub", "--cluster-name", "hub", "--federation", "--federation-grace-period", "2s", "--retention", "4s", "--federation-access-providers", providers);
        await Poll.UntilAsync(() => HubAsync(), s => Count(s, "Active") >= 4, 120);
    }

    [OneTimeTearDown]
    public async Task StopTheFleet()
    {
        await AggregatedApi.UnregisterAsync(hub.Client);
        foreach (var stop in Enumerable.Reverse(stops))
        {
            await stop.DisposeAsync();
        }

        await Task.WhenAll(memberA.StopAsync(), memberB.StopAsync());
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    [Order(1)]
    public async Task TheHub_ListsEveryClustersAgents_WithTheirCluster_AndOneClusterBySelector()
    {
        var all = await HubAsync();
        var wide = await KubectlAsync(hub, "get", "agt", "-A", "-o", "wide");
        var onlyA = await HubAsync("-l", "agentlens.io/cluster=member-a");

        Assert.That(Lines(all), Is.EquivalentTo(new[]
        {
            $"hub|{teamA}|hub-agent|True",
            $"member-a|{teamA}|weather|True",
            $"member-a|{teamB}|billing|True",
            $"member-b|{teamA}|travel|True",
        }), all);
        Assert.That(Lines(onlyA), Has.Count.EqualTo(2).And.All.StartWith("member-a|"), onlyA);
        Assert.That(wide.StandardOutput.Split('\n')[0], Does.Contain("CLUSTER"));
        Assert.That(wide.StandardOutput, Does.Contain("member-a.agt-a2a-"), "names are cluster-qualified");
    }

    [Test]
    [Order(2)]
    public async Task AMemberThatIsItselfAHub_ServesWhatItFederated_AndTheHubDoesNotTakeItAgain()
    {
        var onB = await Poll.UntilAsync(async () => (await KubectlAsync(memberB, "get", "agt", "-A", "--show-labels")).StandardOutput,
            s => s.Contains("member-a.", StringComparison.Ordinal), 60);
        var hubEntries = await HubAsync();

        Assert.That(onB, Does.Contain("agentlens.io/federated-by=member-b"), "B really serves entries it federated from A");
        Assert.That(hubEntries, Does.Not.Contain("member-b.member-a."));
        Assert.That(Lines(hubEntries).Count(l => l.StartsWith("member-b|", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    [Order(3)]
    public async Task AViewerOfTeamAOnTheHub_SeesTeamAsAgentsFromEveryCluster_AndNothingElse()
    {
        var user = $"alice-{suffix}";
        var role = KubernetesYaml.Deserialize<V1ClusterRole>(await File.ReadAllTextAsync(Repo.Path("config", "rbac", "agenttypes_viewer_role.yaml")));
        role.Metadata.Name = $"agenttypes-view-{suffix}";
        await hub.Client.RbacAuthorizationV1.CreateClusterRoleAsync(role);
        await hub.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "agenttypes-view" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role.Metadata.Name },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, teamA);

        var own = await Poll.UntilAsync(() => HubAsync("-n", teamA, "--as", user), s => Lines(s).Count == 3, 30);
        var other = await KubectlAsync(hub, "get", "agt", "-n", teamB, "--as", user);

        Assert.That(Lines(own), Is.EquivalentTo(new[] { $"hub|{teamA}|hub-agent|True", $"member-a|{teamA}|weather|True", $"member-b|{teamA}|travel|True" }), own);
        Assert.That(other.ExitCode, Is.Not.Zero);
        Assert.That(other.StandardError, Does.Contain("Forbidden"));
    }

    [Test]
    [Order(4)]
    public async Task ANewAgentInAMember_AppearsOnTheHub()
    {
        await AnnounceAsync(memberB, teamB, "news", "News Agent");

        var seen = await Poll.UntilAsync(() => HubAsync(), s => s.Contains($"member-b|{teamB}|news|True", StringComparison.Ordinal), 90);

        Assert.That(Lines(seen), Has.Count.EqualTo(5), seen);
    }

    [Test]
    [Order(5)]
    public async Task AMemberWhoseApiServerStops_KeepsItsEntriesMarkedUnreachable_AndTheyComeBackReachable()
    {
        var before = Lines(await HubAsync());
        await memberA.StopApiServerAsync();
        string down, downJson;
        try
        {
            down = await Poll.UntilAsync(() => HubAsync(), s => Lines(s).Count(l => l.StartsWith("member-a|", StringComparison.Ordinal) && l.EndsWith("|False", StringComparison.Ordinal)) == 2, 60);
            downJson = await HubJsonAsync("-l", "agentlens.io/cluster=member-a");
        }
        finally
        {
            await memberA.StartApiServerAsync();
        }

        var up = await Poll.UntilAsync(() => HubAsync(), s => Lines(s).Count(l => l.StartsWith("member-a|", StringComparison.Ordinal) && l.EndsWith("|True", StringComparison.Ordinal)) == 2, 120);

        Assert.That(Lines(down), Has.Count.EqualTo(before.Count), "nothing lost while unreachable");
        Assert.That(Lines(up), Is.EquivalentTo(before), "nothing lost or duplicated after");
        Assert.That(downJson, Does.Match("\"reason\": \"(Unreachable|Timeout)\""), "the reason says why");
        Assert.That(Lines(down).Where(l => !l.StartsWith("member-a|", StringComparison.Ordinal)), Is.All.EndWith("|True"), "no effect on the other clusters");
    }

    [Test]
    [Order(6)]
    public async Task AMemberSecretDeleted_ItsEntriesLeaveAfterTheRetention()
    {
        await hub.Client.CoreV1.DeleteNamespacedSecretAsync("member-b", store);

        var marked = await Poll.UntilAsync(() => HubJsonAsync(), s => s.Contains("MemberRemoved", StringComparison.Ordinal), 30);
        var gone = await Poll.UntilAsync(() => HubAsync(), s => !s.Contains("member-b|", StringComparison.Ordinal) && Lines(s).Count > 0, 30);

        Assert.That(marked, Does.Contain("MemberRemoved"));
        Assert.That(Lines(gone), Is.All.Not.StartWith("member-b|"));
        Assert.That(Lines(gone).Count(l => l.StartsWith("member-a|", StringComparison.Ordinal)), Is.EqualTo(2), "the other member is untouched");
    }

    [Test]
    [Order(7)]
    public async Task AClusterProfile_NamesAMember_ThroughTheHubsCredentialPlugin_AndItsDeletionRemovesIt()
    {
        await hub.Client.CustomObjects.CreateNamespacedCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "multicluster.x-k8s.io/v1alpha2",
            ["kind"] = "ClusterProfile",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "profile-b" },
            ["spec"] = new Dictionary<string, object> { ["clusterManager"] = new Dictionary<string, object> { ["name"] = "tests" } },
        }, "multicluster.x-k8s.io", "v1alpha2", store, "clusterprofiles");
        var status = new Dictionary<string, object>
        {
            ["status"] = new Dictionary<string, object>
            {
                ["accessProviders"] = new[]
                {
                    new Dictionary<string, object> { ["name"] = "unknown-provider", ["cluster"] = new Dictionary<string, object> { ["server"] = "https://192.0.2.1:6443" } },
                    new Dictionary<string, object> { ["name"] = "test-token", ["cluster"] = new Dictionary<string, object> { ["server"] = memberB.Configuration.Host, ["insecure-skip-tls-verify"] = true } },
                },
            },
        };
        await hub.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(System.Text.Json.JsonSerializer.Serialize(status), V1Patch.PatchType.MergePatch),
            "multicluster.x-k8s.io", "v1alpha2", store, "clusterprofiles", "profile-b");

        var seen = await Poll.UntilAsync(() => HubAsync(), s => Lines(s).Count(l => l.StartsWith("profile-b|", StringComparison.Ordinal)) == 2, 60);
        await hub.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("multicluster.x-k8s.io", "v1alpha2", store, "clusterprofiles", "profile-b");
        var gone = await Poll.UntilAsync(() => HubAsync(), s => !s.Contains("profile-b|", StringComparison.Ordinal) && Lines(s).Count > 0, 30);

        Assert.That(Lines(seen).Where(l => l.StartsWith("profile-b|", StringComparison.Ordinal)), Is.EquivalentTo(new[] { $"profile-b|{teamA}|travel|True", $"profile-b|{teamB}|news|True" }), seen);
        Assert.That(Lines(gone), Is.All.Not.StartWith("profile-b|"));
    }

    private async Task StartOperatorAsync(ControlPlane cp, string name, params string[] extra)
    {
        var (certFile, keyFile, caPem) = AggregatedApi.ServingCertificate(Path.Combine(dir, name), $"{ApiService}.{store}.svc");
        var port = Tools.FreePort();
        var op = await OperatorServer.StartAsync(cp, store, ["--namespaces", $"{teamA},{teamB}", "--poll-interval", "2s",
            "--apiserver-bind-address", $"127.0.0.1:{port}", "--apiserver-cert-file", certFile, "--apiserver-key-file", keyFile,
            "--apiserver-authorization-cache-ttl", "0s", "--AgentLens:ApiServer:BookmarkInterval=1s", .. extra]);
        stops.Add(op);
        await AggregatedApi.RegisterAsync(cp.Client, store, ApiService, port, caPem);
    }

    private async Task AnnounceAsync(ControlPlane cp, string ns, string service, string agentName)
    {
        var agent = await NodeAgent.StartA2aAsync(agentName);
        stops.Add(agent);
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = service,
                Annotations = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a", ["agentlens.io/port"] = $"{agent.Port}" },
            },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
        }, ns);
    }

    private async Task MemberSecretAsync(ControlPlane on, string name, ControlPlane member) =>
        await on.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["agentlens.io/member-cluster"] = "true" } },
            Data = new Dictionary<string, byte[]> { ["kubeconfig"] = await File.ReadAllBytesAsync(member.KubeconfigPath) },
        }, store);

    private Task<ProcessResult> KubectlAsync(ControlPlane cp, params string[] args) =>
        Tools.KubectlAsync(cp.KubeconfigPath, ["--cache-dir", Path.Combine(dir, "kube-cache-" + Path.GetFileName(cp.Dir)), .. args]);

    private async Task<string> HubJsonAsync(params string[] args)
    {
        var result = await KubectlAsync(hub, ["get", "agt", .. args.Contains("-n") ? args : ["-A", .. args], "-o", "json"]);
        return result.ExitCode == 0 ? result.StandardOutput : "kubectl: " + result.StandardError;
    }

    /// <summary>The hub's entries of this fleet, one line each: cluster|namespace|service|ClusterReachable (the hub's own: True).</summary>
    private async Task<string> HubAsync(params string[] args)
    {
        var json = await HubJsonAsync(args);
        if (!json.StartsWith('{'))
        {
            return json;
        }

        var lines = JsonNode.Parse(json)!["items"]!.AsArray()
            .Where(i => ((string?)i!["metadata"]!["namespace"])?.EndsWith(suffix, StringComparison.Ordinal) == true)
            .Select(i =>
            {
                var reachable = i!["status"]!["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == "ClusterReachable");
                return $"{(string?)i["status"]!["cluster"]}|{(string?)i["metadata"]!["namespace"]}|{(string?)i["spec"]!["source"]!["name"]}|{(string?)reachable?["status"] ?? "True"}"
                    + $"|{(string?)i["status"]!["lifecycle"]}|{(string?)i["metadata"]!["name"]}";
            });
        return string.Join('\n', lines);
    }

    /// <summary>The first four fields of each line (cluster, namespace, service, reachable).</summary>
    private static List<string> Lines(string summary) => [.. summary.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => l.Count(c => c == '|') >= 3).Select(l => string.Join('|', l.Split('|').Take(4)))];

    private static int Count(string s, string word) => s.Split(word).Length - 1;
}
