using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Operations;

/// <summary>
/// What a platform team does: helm install into the real API server, check what the operator may do, run it
/// with exactly that identity, and apply the kustomize manifests. The commands are the README's.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class InstallTests
{
    private static readonly string Chart = Repo.Path("charts", "agentlens-operator");
    private ControlPlane cp = null!;
    private string ns = null!;
    private string release = null!;
    private int apiServerPort;

    [OneTimeSetUp]
    public async Task InstallTheChart()
    {
        cp = await ControlPlane.SharedAsync();
        ns = $"agentlens-{Random.Shared.Next(10000, 99999)}";
        release = "agentlens";
        // The APIService points at this port, where a test below runs the operator (no pods run here).
        apiServerPort = Tools.FreePort();
        // README, "Install with Helm" — but client-side apply: the test API server (1.20) breaks the stream of a
        // server-side apply of an APIService (INTERNAL_ERROR), which current API servers accept.
        var result = await Tools.HelmAsync("install", release, Chart, "--namespace", ns, "--create-namespace", "--kubeconfig", cp.KubeconfigPath,
            "--set", $"apiServer.servicePort={apiServerPort}", "--server-side=false");
        Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
    }

    // The APIService is cluster-wide: leave none behind that points at nothing.
    [OneTimeTearDown]
    public async Task Uninstall() => await Tools.HelmAsync("uninstall", release, "--namespace", ns, "--kubeconfig", cp.KubeconfigPath, "--wait");

    private string ServiceAccount => $"system:serviceaccount:{ns}:{release}-agentlens-operator";

    [Test]
    public async Task Install_CreatesEveryObject()
    {
        var name = $"{release}-agentlens-operator";

        Assert.That((await cp.Client.AppsV1.ReadNamespacedDeploymentAsync(name, ns)).Spec.Template.Spec.SecurityContext.RunAsNonRoot, Is.True);
        Assert.That(await cp.Client.CoreV1.ReadNamespacedServiceAccountAsync(name, ns), Is.Not.Null);
        Assert.That(await cp.Client.CoreV1.ReadNamespacedConfigMapAsync($"{name}-sources", ns), Is.Not.Null);
        Assert.That(await cp.Client.CoreV1.ReadNamespacedServiceAsync($"{name}-metrics", ns), Is.Not.Null);
        Assert.That(await cp.Client.CoreV1.ReadNamespacedServiceAsync($"{name}-api", ns), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadNamespacedRoleAsync($"{name}-catalog", ns), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync($"{name}-catalog", ns), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadClusterRoleAsync($"{name}-discovery"), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadClusterRoleBindingAsync($"{name}-discovery"), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadClusterRoleAsync($"{name}-api-auth"), Is.Not.Null);
        Assert.That(await cp.Client.CoreV1.ReadNamespacedServiceAsync($"{name}-apiserver", ns), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadClusterRoleBindingAsync($"{name}-auth-delegator"), Is.Not.Null);
        Assert.That(await cp.Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync($"{name}-auth-reader", "kube-system"), Is.Not.Null);
        var view = await cp.Client.RbacAuthorizationV1.ReadClusterRoleAsync("agentlens-agenttypes-view");
        Assert.That(view.Metadata.Labels, Does.ContainKey("rbac.authorization.k8s.io/aggregate-to-view"));
    }

    [Test]
    public async Task ApiService_HasTheChartsCaBundle_AndBecomesAvailableAgainstAnOperatorWithTheChartsCertificate()
    {
        var name = $"{release}-agentlens-operator";
        var secret = await cp.Client.CoreV1.ReadNamespacedSecretAsync($"{name}-apiserver-tls", ns);
        var apiService = await cp.Client.ApiregistrationV1.ReadAPIServiceAsync(AggregatedApi.ApiServiceName);
        Assert.That(apiService.Spec.CaBundle, Is.EqualTo(secret.Data["ca.crt"]), "the APIService trusts the CA that signed the mounted certificate");
        Assert.That(apiService.Spec.InsecureSkipTLSVerify, Is.Not.True);

        // No kubelet runs the pod: run the operator here with the chart's certificate, and route the chart's
        // Service to it (ExternalName to loopback, the one way kube-apiserver reaches a local process).
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-chart-tls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, "tls.crt"), secret.Data["tls.crt"]);
        await File.WriteAllBytesAsync(Path.Combine(dir, "tls.key"), secret.Data["tls.key"]);
        var deleted = await Tools.KubectlAsync(cp.KubeconfigPath, "delete", "service", "-n", ns, $"{name}-apiserver");
        Assert.That(deleted.ExitCode, Is.Zero, deleted.StandardError);
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = $"{name}-apiserver" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1", Ports = [new V1ServicePort { Name = "https", Port = apiServerPort }] },
        }, ns);
        await using var op = await OperatorServer.StartAsync(cp, ns, "--apiserver-bind-address", $"127.0.0.1:{apiServerPort}",
            "--apiserver-cert-file", Path.Combine(dir, "tls.crt"), "--apiserver-key-file", Path.Combine(dir, "tls.key"));
        try
        {
            await AggregatedApi.WaitAvailableAsync(cp.Client);
            var get = await Tools.KubectlAsync(cp.KubeconfigPath, "--cache-dir", Path.Combine(dir, "cache"), "get", "agenttypes", "-n", ns);

            Assert.That(get.ExitCode, Is.Zero, get.StandardError);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("list", "services", "--all-namespaces")]
    [TestCase("get", "configmaps", null)]
    [TestCase("list", "configmaps", null)]
    [TestCase("watch", "configmaps", null)]
    [TestCase("create", "configmaps", null)]
    [TestCase("update", "configmaps", null)]
    [TestCase("delete", "configmaps", null)]
    [TestCase("create", "leases.coordination.k8s.io", null)]
    [TestCase("update", "leases.coordination.k8s.io", null)]
    [TestCase("watch", "leases.coordination.k8s.io", null)]
    [TestCase("create", "events", null)]
    [TestCase("create", "events", "--namespace=team-a")]
    [TestCase("create", "tokenreviews.authentication.k8s.io", null)]
    [TestCase("create", "subjectaccessreviews.authorization.k8s.io", null)]
    [TestCase("get", "configmaps/extension-apiserver-authentication", "--namespace=kube-system")]
    public async Task Rbac_AllowsWhatTheOperatorNeeds(string verb, string resource, string? scope) =>
        Assert.That(await CanIAsync(verb, resource, scope), Is.EqualTo("yes"));

    [TestCase("get", "secrets", null)]
    [TestCase("list", "secrets", "--all-namespaces")]
    [TestCase("create", "configmaps", "--namespace=default")]
    [TestCase("update", "configmaps", "--namespace=kube-system")]
    [TestCase("create", "services", null)]
    [TestCase("update", "services", "--all-namespaces")]
    [TestCase("delete", "services", null)]
    [TestCase("list", "pods", "--all-namespaces")]
    [TestCase("list", "events", "--namespace=team-a")]
    [TestCase("list", "leases.coordination.k8s.io", "--namespace=team-a")]
    [TestCase("delete", "events", "--namespace=team-a")]
    [TestCase("create", "deployments.apps", null)]
    public async Task Rbac_DeniesEverythingElse(string verb, string resource, string? scope) =>
        Assert.That(await CanIAsync(verb, resource, scope), Is.EqualTo("no"));

    private async Task<string> CanIAsync(string verb, string resource, string? scope)
    {
        var result = await Tools.KubectlAsync(cp.KubeconfigPath, "auth", "can-i", verb, resource, "--as", ServiceAccount, scope ?? $"--namespace={ns}");
        return result.StandardOutput.Trim();
    }

    [Test]
    public async Task Operator_RunsACycleWithTheChartsServiceAccountToken()
    {
        var (client, token) = await cp.ServiceAccountClientAsync(ns, $"{release}-agentlens-operator");
        client.Dispose();
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"agentlens-sa-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "{{{cp.Configuration.Host}}}", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: "{{{token}}}"}}]
            contexts: [{name: x, context: {cluster: c, user: u, namespace: {{{ns}}}}}]
            current-context: x
            """);
        try
        {
            var result = await OperatorProcess.RunAsync("--once", "--kubeconfig", kubeconfig, "--static-sources", "/nonexistent");

            Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
            Assert.That(result.StandardOutput, Does.Contain($"store namespace {ns}"));
            var status = await cp.Client.CoreV1.ReadNamespacedConfigMapAsync("agentlens-status", ns);
            Assert.That(status.Data["status.json"], Does.Contain("\"result\":\"success\""));

            // README: look at the catalog.
            var catalog = await Tools.KubectlAsync(cp.KubeconfigPath, "get", "cm", "-n", ns, "-l", "agentlens.io/catalog=entry", "-L", "agentlens.io/protocol,agentlens.io/lifecycle,agentlens.io/team");
            Assert.That(catalog.ExitCode, Is.Zero, catalog.StandardError);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Test]
    public async Task Kustomize_DefaultRendersAndTheServerAcceptsIt()
    {
        try
        {
            await cp.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "agentlens-system" } });
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Another test run's, on a reused control plane.
        }

        var rendered = await Tools.KubectlAsync(cp.KubeconfigPath, "kustomize", Repo.Path("config", "default"));
        Assert.That(rendered.ExitCode, Is.Zero, rendered.StandardError);

        // The one cluster-wide APIService is this fixture's Helm release's (with a CA bundle); applying the plain
        // manifests' one over it would merge both into an invalid object. It is checked for what it says.
        var documents = rendered.StandardOutput.Split("\n---\n");
        var apiService = documents.Single(d => d.Contains("kind: APIService", StringComparison.Ordinal));
        Assert.That(apiService, Does.Contain("name: v1alpha1.agentlens.io").And.Contain("name: agentlens-apiserver").And.Contain("namespace: agentlens-system"));
        var applied = await ProcessRunner.RunAsync(Tools.Kubectl, ["--kubeconfig", cp.KubeconfigPath, "apply", "--dry-run=server", "-f", "-"],
            TimeSpan.FromMinutes(1), standardInput: string.Join("\n---\n", documents.Where(d => d != apiService)));

        Assert.That(applied.ExitCode, Is.Zero, applied.StandardOutput + applied.StandardError);
        Assert.That(applied.StandardOutput, Does.Contain("deployment.apps/agentlens-operator created (server dry run)"));
    }

    [Test]
    public async Task Kustomize_SamplesRender()
    {
        var rendered = await Tools.KubectlAsync(cp.KubeconfigPath, "kustomize", Repo.Path("config", "samples"));

        Assert.That(rendered.ExitCode, Is.Zero, rendered.StandardError);
        Assert.That(rendered.StandardOutput, Does.Contain("agentlens.io/type: a2a").And.Contain("agentlens.io/type: mcp"));
    }
}
