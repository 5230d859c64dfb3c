using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>One matched MCP tool or A2A skill of <c>find_tools</c>, with its agent.</summary>
internal sealed record ToolHitView(
    [property: Description("mcp.tool or a2a.skill (or another capability kind that matched).")] string Kind,
    [property: Description("The tool's name, or the skill's id.")] string Name,
    string? Description,
    [property: Description("Where the query matched, highlighted.")] string? Snippet,
    [property: Description("The relevance of its agent; higher is better.")] double Score,
    AgentRefView Agent);
