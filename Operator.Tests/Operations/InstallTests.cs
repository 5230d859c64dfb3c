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

    [OneTimeSetUp]
    public async Task InstallTheChart()
    {
        cp = await ControlPlane.SharedAsync();
        ns = $"agentlens-{Random.Shared.Next(10000, 99999)}";
        release = "agentlens";
        // README, "Install with Helm".
        var result = await Tools.HelmAsync("install", release, Chart, "--namespace", ns, "--create-namespace", "--kubeconfig", cp.KubeconfigPath);
        Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
    }

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

        var applied = await ProcessRunner.RunAsync(Tools.Kubectl, ["--kubeconfig", cp.KubeconfigPath, "apply", "--dry-run=server", "-f", "-"],
            TimeSpan.FromMinutes(1), standardInput: rendered.StandardOutput);

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
