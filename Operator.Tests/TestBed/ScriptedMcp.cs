using System.Runtime.CompilerServices;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// The smallest MCP server a <see cref="LoopbackServer"/> can be: it refuses <c>server/discover</c> (so the
/// SDK client falls back to <c>initialize</c>), accepts notifications and DELETE, answers initialize, and hands
/// every other request — the lists — to the test with its JSON-RPC id.
/// </summary>
internal static class ScriptedMcp
{
    public static Task ServeAsync(RawRequest request, Stream stream, Func<int, Stream, CancellationToken, Task> list, CancellationToken ct)
    {
        if (request.Method != "POST")
        {
            return LoopbackServer.Respond(stream, request.Method == "DELETE" ? 200 : 405, "{}", ct: ct);
        }

        if (request.Body.Contains("notifications/", StringComparison.Ordinal))
        {
            return LoopbackServer.Respond(stream, 202, string.Empty, ct: ct);
        }

        var id = System.Text.Json.JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetInt32();
        if (request.Body.Contains("server/discover", StringComparison.Ordinal))
        {
            return LoopbackServer.Respond(stream, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"Method not found"}""" + "}", ct: ct);
        }

        return request.Body.Contains("\"initialize\"", StringComparison.Ordinal)
            ? LoopbackServer.Respond(stream, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"scripted","version":"1"}""" + "}}", ct: ct)
            : list(id, stream, ct);
    }

    /// <summary>Answers every list with one page of <paramref name="toolsJson"/>.</summary>
    public static Task AnswerAsync(RawRequest request, Stream stream, string toolsJson, CancellationToken ct) =>
        ServeAsync(request, stream, (id, s, c) => LoopbackServer.Respond(s, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":{{{toolsJson}}}}""" + "}", ct: c), ct);

    /// <summary>
    /// A server that opens a session (protocol 2025-11-25, an <c>Mcp-Session-Id</c>), answers <c>tools/list</c>
    /// with one page of <paramref name="toolsJson"/>, and takes the session's <c>DELETE</c> without ever answering
    /// it; <paramref name="deletes"/> counts the DELETEs it got.
    /// </summary>
    public static LoopbackServer HungSessionClose(string toolsJson, StrongBox<int>? deletes = null) => new(async (request, stream, ct) =>
    {
        if (request.Path != "/mcp")
        {
            await LoopbackServer.Respond(stream, 404, "{}", ct: ct);
            return;
        }

        if (request.Method == "DELETE")
        {
            if (deletes is not null)
            {
                Interlocked.Increment(ref deletes.Value);
            }

            // The request was read; no answer ever comes, until the server is disposed.
            await Task.Delay(Timeout.Infinite, ct);
            return;
        }

        if (request.Method != "POST")
        {
            await LoopbackServer.Respond(stream, 405, "{}", ct: ct);
            return;
        }

        if (request.Body.Contains("notifications/", StringComparison.Ordinal))
        {
            await LoopbackServer.Respond(stream, 202, string.Empty, ct: ct);
            return;
        }

        var id = System.Text.Json.JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetInt32();
        var reply = request.Body switch
        {
            var b when b.Contains("\"initialize\"", StringComparison.Ordinal) =>
                $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"hung-close","version":"1"}""" + "}}",
            var b when b.Contains("\"tools/list\"", StringComparison.Ordinal) =>
                $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":{{{toolsJson}}}""" + "}}",
            _ => $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"Method not found"}""" + "}",
        };
        await (request.Body.Contains("\"initialize\"", StringComparison.Ordinal)
            ? LoopbackServer.Respond(stream, 200, reply, ct: ct, headers: ("Mcp-Session-Id", "hung-1"))
            : LoopbackServer.Respond(stream, 200, reply, ct: ct));
    });
}
