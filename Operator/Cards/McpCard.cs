using System.Text.Json;

namespace AgentLens.Operator.Cards;

/// <summary>
/// The union of the MCP card shapes found in the wild: the MCP Registry <c>server.json</c> (<c>name</c>,
/// <c>remotes</c>, <c>packages</c>, <c>repository</c>) and the server-card drafts (<c>serverInfo</c>,
/// <c>transport(s)</c>, <c>capabilities</c>, optional <c>tools</c>/<c>resources</c>/<c>prompts</c>). Live
/// introspection (the MCP SDK) maps its items onto <see cref="McpItem"/> too.
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
    public string? WebsiteUrl { get; set; }
    public List<McpIcon>? Icons { get; set; }
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
    public string? WebsiteUrl { get; set; }
    public List<McpIcon>? Icons { get; set; }
}

internal sealed class McpIcon
{
    public string? Src { get; set; }
    public string? MimeType { get; set; }
    public string? Theme { get; set; }
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

    /// <summary>A tool's input schema: part of what defines it (its digest); the entry shows its parameters only.</summary>
    public JsonElement InputSchema { get; set; }

    public JsonElement OutputSchema { get; set; }
}
