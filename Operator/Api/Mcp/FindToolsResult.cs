namespace AgentLens.Operator.Api.Mcp;

/// <summary>The result of <c>find_tools</c>: tools and skills, the best agents' first.</summary>
internal sealed record FindToolsResult(string Query, IReadOnlyList<ToolHitView> Tools);
