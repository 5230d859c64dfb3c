using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Hosting;

/// <summary>The operator's command line: --once exit codes and option validation, as a process.</summary>
[TestFixture]
[Category("Integration")]
public sealed class OperatorProcessTests
{
    [TestCase("--poll-interval=0s", "OperatorOptions.PollInterval must be between 00:00:01 and 1.00:00:00")]
    [TestCase("--crawl-concurrency=-1", "Concurrency must be between 0")]
    [TestCase("--metrics-bind-address=nowhere", "metricsBindAddress must be [host]:port or 0")]
    [TestCase("--cluster-domain=Not_A_Domain", "clusterDomain must be a DNS name")]
    [TestCase("--poll-interval=soon", "'soon' is not a duration")]
    [TestCase("--namespaces=Bad_NS", "namespaces: 'Bad_NS' is not a valid namespace name")]
    [TestCase("--pol-interval=5m", "unknown flag '--pol-interval=5m'")]
    public async Task BadOption_ExitsNonZeroNamingTheOption(string flag, string message)
    {
        var result = await OperatorProcess.RunAsync("--once", "--kubeconfig", "/nonexistent", flag);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.StandardError + result.StandardOutput);
        Assert.That(result.StandardError, Does.Contain(message));
    }

    [Test]
    public async Task Once_AllSourcesSucceed_ExitsZeroAndWritesTheCatalog()
    {
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "once");
        await using var agent = new SwitchableAgent("Once", "s");
        var sources = Path.GetTempFileName();
        await File.WriteAllTextAsync(sources, $"sources:\n  - {{name: once, type: a2a, url: '{agent.BaseUrl}'}}\n");
        try
        {
            var result = await OperatorProcess.RunAsync("--once", "--kubeconfig", cp.KubeconfigPath, "--store-namespace", store,
                "--namespaces", store, "--static-sources", sources);

            Assert.That(result.ExitCode, Is.EqualTo(0), result.StandardError + result.StandardOutput);
            var entries = await cp.Client.CoreV1.ListNamespacedConfigMapAsync(store, labelSelector: "agentlens.io/catalog=entry");
            Assert.That(entries.Items, Has.Count.EqualTo(1));
            Assert.That(result.StandardOutput, Does.Contain("Cycle success"));
        }
        finally
        {
            File.Delete(sources);
        }
    }

    [Test]
    public async Task Once_ASourceFails_ExitsOneWithTheReason()
    {
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "once-fail");
        var sources = Path.GetTempFileName();
        await File.WriteAllTextAsync(sources, "sources:\n  - {name: x, type: soap, url: 'http://x'}\n");
        try
        {
            var result = await OperatorProcess.RunAsync("--once", "--kubeconfig", cp.KubeconfigPath, "--store-namespace", store,
                "--namespaces", store, "--static-sources", sources);

            Assert.That(result.ExitCode, Is.EqualTo(1), result.StandardError + result.StandardOutput);
            Assert.That(result.StandardError, Does.Contain("static: InvalidConfig").And.Contain("'soap' is not one of a2a, mcp, a2ui"));
        }
        finally
        {
            File.Delete(sources);
        }
    }

    [Test]
    public async Task Once_WithAnMcpServerThatNeverAnswersItsSessionClose_EndsWithinTheCycleBudget_AndWritesTheOtherNamespace()
    {
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "once-store");
        var hostile = await TestNamespaces.CreateAsync(cp.Client, "once-hostile");
        var neighbour = await TestNamespaces.CreateAsync(cp.Client, "once-neighbour");
        await using var hung = ScriptedMcp.HungSessionClose("""[{"name":"hung-tool","inputSchema":{"type":"object"}}]""");
        await using var agent = new SwitchableAgent("Neighbour", "s");
        await Tenant.AnnounceAsync(cp.Client, hostile, "hung", "127.0.0.1", hung.Port, new() { ["agentlens.io/type"] = "mcp" });
        await Tenant.AnnounceAsync(cp.Client, neighbour, "fresh", "127.0.0.1", new Uri(agent.BaseUrl).Port);

        // The cycle budget is 15s (timeouts loose enough for a loaded machine's first MCP handshake); the bound
        // (start-up, the cycle and its writes, several times over) only stops a hung run: before the fix it
        // never ended.
        var result = await OperatorProcess.RunWithinAsync(TimeSpan.FromSeconds(75), "--once", "--kubeconfig", cp.KubeconfigPath, "--store-namespace", store,
            "--namespaces", $"{hostile},{neighbour}", "--crawl-allow-cidrs", "127.0.0.1/32",
            "--crawl-timeout", "4s", "--crawl-agent-budget", "10s", "--crawl-cycle-budget", "15s");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StandardError + result.StandardOutput);
        var entries = (await cp.Client.CoreV1.ListNamespacedConfigMapAsync(store, labelSelector: "agentlens.io/catalog=entry")).Items;
        var written = string.Join("\n", entries.SelectMany(e => e.Data?.Values ?? []));
        Assert.That(entries, Has.Count.EqualTo(2), written);
        Assert.That(written, Does.Contain("Neighbour"), "the other namespace's new agent is written in the same run");
        Assert.That(written, Does.Contain("hung-tool"), "the hostile server did list its tools; only its session close hung");
    }
}
