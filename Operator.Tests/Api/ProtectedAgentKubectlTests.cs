using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api;

/// <summary>
/// What a person sees of agents that need authorization through the real kubectl and the aggregation layer: the
/// operator as a process crawls an OAuth-protected MCP server (the TypeScript SDK's requireBearerAuth) and an A2A
/// agent whose card requires a bearer token (@a2a-js/sdk), both announced by Services, and
/// <c>kubectl get agt -o wide</c> and <c>kubectl describe agt</c> say that each needs authorization, and from whom.
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
    private string mcpEntry = null!;
    private string a2aEntry = null!;
    private NodeAgent mcp = null!;
    private NodeAgent a2a = null!;
    private OperatorServer op = null!;

    [OneTimeSetUp]
    public async Task StartOperatorBehindTheAggregator()
    {
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "prot-store");
        team = await TestNamespaces.CreateAsync(cp.Client, "prot-team");
        mcp = await NodeAgent.StartProtectedMcpAsync($"tok-{Guid.NewGuid():N}");
        a2a = await NodeAgent.StartA2aAsync("Weather Agent");
        await Tenant.AnnounceAsync(cp.Client, team, "private-docs", "127.0.0.1", mcp.Port, new() { ["agentlens.io/type"] = "mcp" });
        await Tenant.AnnounceAsync(cp.Client, team, "weather", "127.0.0.1", a2a.Port);

        dir = Path.Combine(Path.GetTempPath(), $"agentlens-prot-{Guid.NewGuid():N}");
        var (certFile, keyFile, caPem) = AggregatedApi.ServingCertificate(dir, $"{ApiService}.{store}.svc");
        var port = Tools.FreePort();
        op = await OperatorServer.StartAsync(cp, store, "--namespaces", team, "--poll-interval", "2s",
            "--apiserver-bind-address", $"127.0.0.1:{port}", "--apiserver-cert-file", certFile, "--apiserver-key-file", keyFile,
            "--apiserver-authorization-cache-ttl", "0s");
        await AggregatedApi.RegisterAsync(cp.Client, store, ApiService, port, caPem);
        await Poll.UntilAsync(async () => (await KubectlAsync("get", "agt", "-n", team)).StandardOutput, s => s.Split("Active").Length - 1 >= 2);
        var entries = (await cp.Client.CoreV1.ListNamespacedConfigMapAsync(store, labelSelector: $"agentlens.io/source-namespace={team}")).Items.Select(c => c.Metadata.Name).ToList();
        mcpEntry = entries.Single(n => n.StartsWith("agt-mcp-", StringComparison.Ordinal));
        a2aEntry = entries.Single(n => n.StartsWith("agt-a2a-", StringComparison.Ordinal));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await AggregatedApi.UnregisterAsync(cp.Client);
        await op.DisposeAsync();
        await mcp.DisposeAsync();
        await a2a.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private Task<ProcessResult> KubectlAsync(params string[] args) => Tools.KubectlAsync(cp.KubeconfigPath, ["--cache-dir", Path.Combine(dir, "kube-cache"), .. args]);

    /// <summary>The cell of <paramref name="column"/> in the row of <paramref name="entry"/>: kubectl pads each cell to where its header starts.</summary>
    private static string Cell(string output, string entry, string column, string next)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (from, to) = (lines[0].IndexOf(column, StringComparison.Ordinal), lines[0].IndexOf(next, StringComparison.Ordinal));
        Assert.That((from, to), Is.Not.EqualTo((-1, -1)), lines[0]);
        var row = lines.Single(l => l.StartsWith(entry, StringComparison.Ordinal));
        return row[from..Math.Min(to, row.Length)].Trim();
    }

    [Test]
    public async Task Wide_TheAuthorizationCell_NamesTheMcpServersAuthorizationServer_AndTheA2aCardsSchemes()
    {
        var result = await KubectlAsync("get", "agt", "-n", team, "-o", "wide");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        Assert.That(Cell(result.StandardOutput, mcpEntry, "AUTHORIZATION", "CLUSTER"), Is.EqualTo("required (auth.example.test)"), result.StandardOutput);
        Assert.That(Cell(result.StandardOutput, a2aEntry, "AUTHORIZATION", "CLUSTER"), Is.EqualTo("bearer"), result.StandardOutput);
        Assert.That(Cell(result.StandardOutput, mcpEntry, "CAPABILITIES", "VERSION"), Is.EqualTo("? tools"), "its tools are not known, not none");
        Assert.That(Cell(result.StandardOutput, mcpEntry, "LIFECYCLE", "CAPABILITIES"), Is.EqualTo("Active"), "reachable and protected, not broken");
    }

    [Test]
    public async Task Describe_AProtectedMcpServer_PrintsItsAuthorizationBlock_AndTheConditionSayingWhyNoToolsAreListed()
    {
        var result = await KubectlAsync("describe", "agt", "-n", team, mcpEntry);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var authorization = Block(result.StandardOutput, "Status:", "Authorization:");
        Assert.That(Field(authorization, "Required"), Is.EqualTo("true"), authorization);
        Assert.That(Items(authorization, "Authorization Servers"), Is.EqualTo(new[] { Issuer }), authorization);
        Assert.That(Items(authorization, "Scopes Supported"), Is.EqualTo(new[] { "docs:read", "docs:write" }), authorization);
        Assert.That(Field(authorization, "Metadata URL"), Is.EqualTo($"http://127.0.0.1:{mcp.Port}/.well-known/oauth-protected-resource/mcp"), authorization);
        Assert.That(Field(authorization, "Resource Name"), Is.EqualTo("Private docs"), authorization);
        var listed = Conditions(result.StandardOutput).Single(c => c.GetValueOrDefault("Type") == "CapabilitiesListed");
        Assert.That((listed["Status"], listed["Reason"]), Is.EqualTo(("False", "AuthorizationRequired")), result.StandardOutput);
        Assert.That(listed["Message"], Does.StartWith($"the server requires a token from {Issuer}").And.Contain("docs:read docs:write"));
        Assert.That(result.StandardOutput, Does.Not.Contain("Warning"), "no Warning Event about a protected server");
    }

    [Test]
    public async Task Describe_AnA2aAgent_PrintsTheRequirementItsCardDeclares()
    {
        var result = await KubectlAsync("describe", "agt", "-n", team, a2aEntry);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var authorization = Block(result.StandardOutput, "Status:", "Authorization:");
        Assert.That(Field(authorization, "Required"), Is.EqualTo("false"), "no server refused it: the card declares what it wants");
        Assert.That(Items(Block(authorization, "Requirements:"), "Schemes"), Is.EqualTo(new[] { "bearer" }), authorization);
        Assert.That(authorization, Does.Contain("Name:").And.Contain("bearer").And.Contain("Type:").And.Contain("http"), "the scheme itself");
    }

    /// <summary>
    /// The lines under the first <paramref name="path"/> headers in turn (each looked for below the one before), as
    /// long as they are indented deeper than the last header: how kubectl's generic describer nests fields.
    /// </summary>
    private static string Block(string text, params string[] path)
    {
        var lines = text.Split('\n').ToList();
        var at = -1;
        var indent = -1;
        foreach (var header in path)
        {
            var found = lines.FindIndex(at + 1, l => l.Trim() == header && Indent(l) > indent);
            Assert.That(found, Is.Not.EqualTo(-1), $"no '{header}' in:\n{text}");
            (at, indent) = (found, Indent(lines[found]));
        }

        return string.Join('\n', lines.Skip(at + 1).TakeWhile(l => l.Trim().Length == 0 || Indent(l) > indent));
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    /// <summary>A <c>Label:  value</c> line's value.</summary>
    private static string? Field(string block, string label) => block.Split('\n').Select(l => l.Trim())
        .FirstOrDefault(l => l.StartsWith(label + ":", StringComparison.Ordinal))?[(label.Length + 1)..].Trim();

    /// <summary>The items of a list field: the lines indented under its label.</summary>
    private static string[] Items(string block, string label) =>
        [.. Block(block, label + ":").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    /// <summary>The conditions as kubectl prints a list of objects: one <c>Label: value</c> line per field, each object starting at its first field.</summary>
    private static List<Dictionary<string, string>> Conditions(string text)
    {
        var conditions = new List<Dictionary<string, string>>();
        foreach (var line in Block(text, "Status:", "Conditions:").Split('\n').Select(l => l.Trim()).Where(l => l.Contains(':', StringComparison.Ordinal)))
        {
            var (label, value) = (line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            if (label == "Last Transition Time" || conditions.Count == 0)
            {
                conditions.Add([]);
            }

            conditions[^1][label] = value;
        }

        return conditions;
    }
}
