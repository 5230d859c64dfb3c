using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>The agent a tool or skill belongs to; pass namespace and name to get_agent for the rest.</summary>
internal sealed record AgentRefView(
    string Namespace,
    string Name,
    [property: Description("a2a, mcp or a2ui.")] string? Protocol,
    string? Endpoint,
    [property: Description("Registered, Active, Degraded or Offline.")] string? Lifecycle);
