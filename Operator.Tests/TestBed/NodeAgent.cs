using System.Diagnostics;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// A real agent server from hack/agents (the @a2a-js/sdk A2A agent, the @modelcontextprotocol/sdk MCP
/// server under node, or the C# SDK one) on a free loopback port, killed when disposed.
/// </summary>
internal sealed class NodeAgent : IAsyncDisposable
{
    private readonly Process process;
    private int disposed;

    private NodeAgent(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static Task<NodeAgent> StartA2aAsync(string name = "Weather Agent") => StartAsync("a2a-agent.mjs", name);

    /// <param name="sessions">One session per <c>initialize</c>, with the standalone GET stream the SDK sends <c>list_changed</c> on; else stateless.</param>
    public static Task<NodeAgent> StartMcpAsync(string name = "docs-mcp", bool sessions = false) =>
        StartAsync("node", ["mcp-server.mjs", "0", name], AgentsDirectory(), new Dictionary<string, string?> { ["MCP_SESSIONS"] = sessions ? "1" : null });

    /// <summary>
    /// The OAuth-protected MCP server of hack/agents/mcp-protected-server.mjs (requireBearerAuth + mcpAuthMetadataRouter):
    /// it accepts only <paramref name="token"/>; <paramref name="metadata"/> is "same", "none" or a URL its challenge names;
    /// <paramref name="requiredScope"/>, when given, is a scope the token lacks (403 insufficient_scope).
    /// </summary>
    public static Task<NodeAgent> StartProtectedMcpAsync(string token, string metadata = "same", string? requiredScope = null) =>
        StartAsync("node", ["mcp-protected-server.mjs", "0", "private-docs-mcp"], AgentsDirectory(), new Dictionary<string, string?>
        {
            ["MCP_TOKEN"] = token,
            ["MCP_METADATA"] = metadata,
            ["MCP_SCOPE"] = requiredScope,
        });

    /// <summary>The C# SDK MCP server of hack/agents/mcp-dotnet (built with the solution), speaking 2026-07-28.</summary>
    /// <param name="ttlMs">The <c>ttlMs</c> its <c>tools/list</c> results carry (null: the SDK's default, 0).</param>
    /// <param name="listChanged">Announce <c>tools.listChanged</c> and stream it on <c>subscriptions/listen</c>.</param>
    public static Task<NodeAgent> StartDotnetMcpAsync(string name = "tickets-mcp", int? ttlMs = null, bool listChanged = false)
    {
        var dll = new[] { "Release", "Debug" }
            .Select(c => Repo.Path("hack", "agents", "mcp-dotnet", "bin", c, "net10.0", "AgentLens.McpAgent.dll"))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("hack/agents/mcp-dotnet is not built: run `make build` (make test does)");
        return StartAsync("dotnet", [dll, "0", name], Repo.Path("hack", "agents"), new Dictionary<string, string?>
        {
            ["MCP_TTL_MS"] = ttlMs?.ToString(CultureInfo.InvariantCulture),
            ["MCP_LIST_CHANGED"] = listChanged ? "1" : null,
        });
    }

    /// <summary>An MCP server of hack/agents adds a tool to its list (its SDK then says the list changed, where it can).</summary>
    public async Task AddToolAsync(string tool)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{BaseUrl}/control/add-tool?name={Uri.EscapeDataString(tool)}", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>An MCP server of hack/agents ends its notification streams (as a proxy's idle timeout would); its sessions stay.</summary>
    public async Task EndStreamsAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{BaseUrl}/control/end-streams", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>What an MCP server of hack/agents counted: <c>tools/list</c> requests answered, notification streams open now and ever opened.</summary>
    public async Task<McpServerStats> McpStatsAsync()
    {
        using var http = new HttpClient();
        var stats = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"{BaseUrl}/control/stats"))!;
        return new McpServerStats(stats["toolsList"]!.GetValue<int>(), stats["streams"]!.GetValue<int>(), stats["opened"]!.GetValue<int>());
    }

    private static Task<NodeAgent> StartAsync(string script, string name) => StartAsync("node", [script, "0", name], AgentsDirectory());

    private static string AgentsDirectory()
    {
        var dir = Repo.Path("hack", "agents");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException("hack/agents/node_modules is missing: run `make agents` (make test does)");
        }

        return dir;
    }

    private static async Task<NodeAgent> StartAsync(string command, string[] args, string dir, Dictionary<string, string?>? environment = null)
    {
        var script = args[0];
        var info = new ProcessStartInfo(command, args)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start node");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException($"{script} exited: {await process.StandardError.ReadToEndAsync(cts.Token)}");
                if (line.StartsWith("listening ", StringComparison.Ordinal))
                {
                    return new NodeAgent(process, int.Parse(line["listening ".Length..], CultureInfo.InvariantCulture));
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server; a test that stops it on purpose may dispose it again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}

/// <summary>What a test MCP server of hack/agents counted (<see cref="NodeAgent.McpStatsAsync"/>).</summary>
internal sealed record McpServerStats(int ToolsList, int Streams, int Opened);
