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
    private readonly List<Stream> listeners = [];
    private int streams;

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

    /// <summary>GET streams opened (each subscription on a pre-2026 revision opens one).</summary>
    public int Streams => Volatile.Read(ref streams);

    /// <summary>
    /// Sends <paramref name="method"/> (a notification) on every open GET stream, <paramref name="times"/> times;
    /// the stream stays open.
    /// </summary>
    public async Task NotifyAsync(string method = "notifications/tools/list_changed", int times = 1)
    {
        var frame = System.Text.Encoding.UTF8.GetBytes($"event: message\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"{method}\"}}\n\n");
        List<Stream> open;
        lock (gate)
        {
            open = [.. listeners];
        }

        foreach (var stream in open)
        {
            try
            {
                for (var i = 0; i < times; i++)
                {
                    await stream.WriteAsync(frame);
                }

                await stream.FlushAsync();
            }
            catch (IOException)
            {
                // That listener went away.
            }
            catch (ObjectDisposedException)
            {
                // That listener went away.
            }
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    /// <summary>The session's GET stream: held open (until the client goes) for <see cref="NotifyAsync"/> to write on.</summary>
    private async Task StreamAsync(Stream stream, CancellationToken ct)
    {
        Interlocked.Increment(ref streams);
        await LoopbackServer.RespondHead(stream, "HTTP/1.1 200 OK\nContent-Type: text/event-stream\nCache-Control: no-cache\nConnection: close\n", ct);
        lock (gate)
        {
            listeners.Add(stream);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // The server is going.
        }
        finally
        {
            lock (gate)
            {
                listeners.Remove(stream);
            }
        }
    }

    private Task ServeAsync(RawRequest request, Stream stream, CancellationToken ct)
    {
        if (request.Method == "GET" && request.Path == "/mcp" && request.Header("Mcp-Session-Id") == "listing-1")
        {
            return StreamAsync(stream, ct);
        }

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
        // A session, so that a subscriber may open the GET stream the session's notifications come on.
        return LoopbackServer.Respond(stream, 200, reply, ct: ct, headers: ("Mcp-Session-Id", "listing-1"));
    }
}
