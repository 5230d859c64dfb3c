using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>The result of <c>search_agents</c>.</summary>
internal sealed record SearchAgentsResult(
    string Query,
    [property: Description("Every agent that matched and that the caller may see, not only those returned.")] int Total,
    [property: Description("The best matches first.")] IReadOnlyList<AgentHitView> Agents);
