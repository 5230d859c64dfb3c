using System.Text.Json;

namespace AgentLens.Operator.Cards;

/// <summary>
/// The union of the MCP card shapes found in the wild: the MCP Registry <c>server.json</c> (<c>name</c>,
/// <c>remotes</c>, <c>packages</c>, <c>repository</c>) and the server-card drafts (<c>serverInfo</c>,
/// <c>transport(s)</c>, <c>capabilities</c>, optional <c>tools</c>/<c>resources</c>/<c>prompts</c>). The
/// same item shapes are what <c>tools/list</c>, <c>resources/list</c> and <c>prompts/list</c> return.
/// </summary>
internal sealed class McpCard
{
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? Version { get; set; }
    public string? ProtocolVersion { get; set; }
    public McpServerInfo? ServerInfo { get; set; }
    public List<McpRemote>? Remotes { get; set; }
    public JsonElement Packages { get; set; }
    public JsonElement Repository { get; set; }
    public JsonElement Transport { get; set; }
    public JsonElement Transports { get; set; }
    public JsonElement Capabilities { get; set; }
    public List<McpItem>? Tools { get; set; }
    public List<McpItem>? Resources { get; set; }
    public List<McpItem>? Prompts { get; set; }
}

internal sealed class McpServerInfo
{
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? Version { get; set; }
}

internal sealed class McpRemote
{
    public string? Type { get; set; }
    public string? Url { get; set; }
}

/// <summary>A tool, resource or prompt; the fields we show of each.</summary>
internal sealed class McpItem
{
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? Uri { get; set; }
    public string? MimeType { get; set; }
}

/// <summary>A JSON-RPC 2.0 response as MCP servers send it.</summary>
internal sealed class JsonRpcResponse
{
    public JsonElement Id { get; set; }
    public JsonElement Result { get; set; }
    public JsonRpcError? Error { get; set; }
}

internal sealed class JsonRpcError
{
    public int Code { get; set; }
    public string? Message { get; set; }
}

internal sealed class McpInitializeResult
{
    public string? ProtocolVersion { get; set; }
    public McpServerInfo? ServerInfo { get; set; }
    public JsonElement Capabilities { get; set; }
    public string? Instructions { get; set; }
}

/// <summary>The result of tools/list, resources/list or prompts/list: one of the lists and a cursor.</summary>
internal sealed class McpListResult
{
    public List<McpItem>? Tools { get; set; }
    public List<McpItem>? Resources { get; set; }
    public List<McpItem>? Prompts { get; set; }
    public string? NextCursor { get; set; }
}
