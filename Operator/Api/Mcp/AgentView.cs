using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>The result of <c>get_agent</c>: one catalog entry.</summary>
internal sealed record AgentView(
    string Namespace,
    string Name,
    [property: Description("a2a, mcp or a2ui.")] string? Protocol,
    string? Endpoint,
    [property: Description("Registered, Active, Degraded or Offline.")] string? Lifecycle,
    CardSummary Card,
    IReadOnlyList<CapabilityView> Capabilities,
    IReadOnlyList<ConditionView> Conditions,
    AgentReach Reach);
