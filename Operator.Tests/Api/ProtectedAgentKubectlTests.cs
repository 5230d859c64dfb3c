using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api;

/// <summary>
/// What a person sees of an OAuth-protected MCP server (the TypeScript SDK's requireBearerAuth) through the real
/// kubectl and the aggregation layer: the operator as a process crawls it from an annotated Service, and
/// <c>kubectl get agt -o wide</c> and <c>kubectl describe agt</c> say that it needs authorization and from whom.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class ProtectedAgentKubectlTests
{
    private const string ApiService = "agentlens-api";
    private const string Issuer = "https://auth.example.test/";
    private ControlPlane cp = null!;
    private string store = null!;
    private string team = null!;
    private string dir = null!;
    private string entry = null!;
    private NodeAgent server = null!;
    private OperatorServer op = null!;

    [OneTimeSetUp]
    public async Task StartOperatorBehindTheAggregator()
    {
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "prot-store");
        team = await TestNamespaces.CreateAsync(cp.Client, "prot-team");
        server = await NodeAgent.StartProtectedMcpAsync($"tok-{Guid.NewGuid():N}");
        await Tenant.AnnounceAsync(cp.Client, team, "private-docs", "127.0.0.1", server.Port, new() { ["agentlens.io/type"] = "mcp" });

        dir = Path.Combine(Path.GetTempPath(), $"agentlens-prot-{Guid.NewGuid():N}");
        var (certFile, keyFile, caPem) = AggregatedApi.ServingCertificate(dir, $"{ApiService}.{store}.svc");
        var port = Tools.FreePort();
        op = await OperatorServer.StartAsync(cp, store, "--namespaces", team, "--poll-interval", "2s",
            "--apiserver-bind-address", $"127.0.0.1:{port}", "--apiserver-cert-file", certFile, "--apiserver-key-file", keyFile,
            "--apiserver-authorization-cache-ttl", "0s");
        await AggregatedApi.RegisterAsync(cp.Client, store, ApiService, port, caPem);
        await Poll.UntilAsync(async () => (await KubectlAsync("get", "agt", "-n", team)).StandardOutput, s => s.Contains("Active", StringComparison.Ordinal));
        entry = (await cp.Client.CoreV1.ListNamespacedConfigMapAsync(store, labelSelector: $"agentlens.io/source-namespace={team}")).Items.Single().Metadata.Name;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await AggregatedApi.UnregisterAsync(cp.Client);
        await op.DisposeAsync();
        await server.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private Task<ProcessResult> KubectlAsync(params string[] args) => Tools.KubectlAsync(cp.KubeconfigPath, ["--cache-dir", Path.Combine(dir, "kube-cache"), .. args]);

    [Test]
    public async Task Wide_TheAuthorizationCellNamesTheAuthorizationServer()
    {
        var result = await KubectlAsync("get", "agt", "-n", team, "-o", "wide");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        var row = lines.Single(l => l.StartsWith(entry, StringComparison.Ordinal));
        var column = header.IndexOf("AUTHORIZATION", StringComparison.Ordinal);
        Assert.That(column, Is.GreaterThan(0), header);
        // kubectl pads columns: the cell starts where its header does.
        Assert.That(row[column..], Does.StartWith("required (auth.example.test)"), result.StandardOutput);
        Assert.That(row, Does.Contain("? tools").And.Contain("Active"), "reachable and protected; its tools are not known, not none");
    }

    [Test]
    public async Task Describe_SaysAuthorizationIsRequired_ByWhom_AndWhy()
    {
        var result = await KubectlAsync("describe", "agt", "-n", team, entry);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var text = result.StandardOutput;
        TestContext.Out.WriteLine(text);
        Assert.That(text, Does.Contain(Issuer));
        Assert.That(text, Does.Contain("AuthorizationRequired"));
    }
}
