namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The smallest MCP server a <see cref="LoopbackServer"/> can be: no server/discover, initialize, one tools page.</summary>
internal static class ScriptedMcp
{
    public static Task AnswerAsync(RawRequest request, Stream stream, string toolsJson, CancellationToken ct)
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
        var reply = request.Body.Contains("server/discover", StringComparison.Ordinal)
            ? $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"Method not found"}}"""
            : request.Body.Contains("\"initialize\"", StringComparison.Ordinal)
                ? $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"scripted","version":"1"}""" + "}}"
                : $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":{{{toolsJson}}}}""" + "}";
        return LoopbackServer.Respond(stream, 200, reply, ct: ct);
    }
}
