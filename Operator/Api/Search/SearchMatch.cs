namespace AgentLens.Operator.Api.Search;

/// <summary>A capability that matched: its kind (<c>mcp.tool</c>, <c>a2a.skill</c>, …), name, and a highlighted snippet.</summary>
internal sealed record SearchMatch(string Kind, string Name, string? Snippet);
