using System.Text.RegularExpressions;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>A steady cycle reads the catalog from the watch cache the operator keeps anyway: it lists Services, nothing else.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed partial class CachedCatalogTests
{
    [GeneratedRegex(@"Cycle phases: (?<phases>.*) \(API requests: (?<requests>.*)\)")]
    private static partial Regex PhasesLine();

    [Test]
    public async Task SteadyCycles_ListOnlyTheServices_AndWriteNothing()
    {
        var cp = await ControlPlane.SharedAsync();
        var ns = await TestNamespaces.CreateAsync(cp.Client, "cached");
        await using var agent = await NodeAgent.StartA2aAsync();
        await Security.Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port);
        await using var op = await OperatorServer.StartAsync(cp, ns, "--poll-interval", "1s");

        var lines = new List<Match>();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); lines.Count < 4 && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            lines = [.. PhasesLine().Matches(op.Output).Cast<Match>()];
        }

        Assert.That(lines, Has.Count.GreaterThanOrEqualTo(4), op.Output);
        var steady = lines[3].Groups["requests"].Value.Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        Assert.That(steady.GetValueOrDefault("list"), Is.EqualTo(1), $"one list: the Services of {ns}; {lines[3].Value}");
        Assert.That(steady.GetValueOrDefault("create") + steady.GetValueOrDefault("update") + steady.GetValueOrDefault("delete"), Is.Zero, lines[3].Value);
        Assert.That(lines[3].Groups["phases"].Value, Does.Contain("read=").And.Contain("sources=").And.Contain("crawl=").And.Contain("writes="));
    }

    [Test]
    public async Task SteadyCycles_ReadTheCache_WithEveryReaderApiOff()
    {
        // Turning the APIs off must not change how the reconciler reads: it still reads the catalog mirror.
        var cp = await ControlPlane.SharedAsync();
        var ns = await TestNamespaces.CreateAsync(cp.Client, "cached-off");
        await using var agent = await NodeAgent.StartA2aAsync();
        await Security.Tenant.AnnounceAsync(cp.Client, ns, "weather", "127.0.0.1", agent.Port);
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[OperatorProcess.Dll, "--kubeconfig", cp.KubeconfigPath, "--store-namespace", ns, "--namespaces", ns, "--static-sources", "/nonexistent",
            "--leader-elect=false", "--poll-interval", "1s", "--crawl-allow-cidrs", "127.0.0.1/32", "--api-bind-address", "0", "--apiserver-bind-address", "0",
            "--metrics-bind-address", "0", "--health-probe-bind-address", "127.0.0.1:0"])
        {
            info.ArgumentList.Add(arg);
        }

        var output = new System.Text.StringBuilder();
        using var process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        try
        {
            var lines = new List<Match>();
            for (var deadline = DateTime.UtcNow.AddSeconds(60); lines.Count < 4 && DateTime.UtcNow < deadline && !process.HasExited; await Task.Delay(200))
            {
                lines = [.. PhasesLine().Matches(Output()).Cast<Match>()];
            }

            Assert.That(lines, Has.Count.GreaterThanOrEqualTo(4), Output());
            var steady = lines[3].Groups["requests"].Value.Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
            Assert.That(steady.GetValueOrDefault("list"), Is.EqualTo(1), $"one list: the Services of {ns}; {lines[3].Value}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }
}
