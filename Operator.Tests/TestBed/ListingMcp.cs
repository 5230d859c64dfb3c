namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// A scripted MCP server (initialize-based, no session) whose answers the test sets and changes while it
/// runs: the <c>initialize</c> capabilities, and the result object of each list method by name
/// (<c>tools/list</c>, <c>prompts/list</c>, <c>skills/list</c>, …); a method without a result is "method not
/// found". It counts every list request by method, so a test can tell how many introspections happened.
/// </summary>
internal sealed class ListingMcp : IAsyncDisposable
{
    private readonly Dictionary<string, string> results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> calls = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public ListingMcp(string capabilities = """{"tools":{}}""")
    {
        Capabilities = capabilities;
        Server = new LoopbackServer(ServeAsync);
    }

    public LoopbackServer Server { get; }

    /// <summary>The <c>capabilities</c> object <c>initialize</c> answers with.</summary>
    public string Capabilities { get; set; }

    public string BaseUrl => Server.BaseUrl;

    /// <summary>Sets the result object <paramref name="method"/> answers with (null: method not found).</summary>
    public void Answer(string method, string? result)
    {
        lock (gate)
        {
            if (result is null)
            {
                results.Remove(method);
            }
            else
            {
                results[method] = result;
            }
        }
    }

    /// <summary>How many times <paramref name="method"/> was asked.</summary>
    public int Calls(string method)
    {
        lock (gate)
        {
            return calls.GetValueOrDefault(method);
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private Task ServeAsync(RawRequest request, Stream stream, CancellationToken ct)
    {
        if (request.Method != "POST")
        {
            return LoopbackServer.Respond(stream, request.Method == "DELETE" ? 200 : 405, "{}", ct: ct);
        }

        if (request.Path != "/mcp")
        {
            return LoopbackServer.Respond(stream, 404, "{}", ct: ct);
        }

        using var body = System.Text.Json.JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        if (!root.TryGetProperty("id", out var idElement))
        {
            return LoopbackServer.Respond(stream, 202, string.Empty, ct: ct);
        }

        var id = idElement.GetRawText();
        var method = root.GetProperty("method").GetString() ?? string.Empty;
        string? result;
        lock (gate)
        {
            calls[method] = calls.GetValueOrDefault(method) + 1;
            result = method == "initialize"
                ? $$$"""{"protocolVersion":"2025-11-25","capabilities":{{{Capabilities}}},"serverInfo":{"name":"listing","version":"1"}}"""
                : results.GetValueOrDefault(method);
        }

        var reply = result is null
            ? $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"Method not found"}}"""
            : $$"""{"jsonrpc":"2.0","id":{{id}},"result":{{result}}}""";
        return LoopbackServer.Respond(stream, 200, reply, ct: ct);
    }
}
