using System.ComponentModel;
using AgentLens.Operator.Api.Search;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>One ranked agent of <c>search_agents</c>.</summary>
internal sealed record AgentHitView(
    [property: Description("The Kubernetes namespace the entry belongs to (as kubectl get agt shows it).")] string Namespace,
    [property: Description("The catalog entry's name; pass it with the namespace to get_agent.")] string Name,
    string? DisplayName,
    string? Description,
    [property: Description("a2a, mcp or a2ui.")] string? Protocol,
    [property: Description("Registered, Active, Degraded or Offline.")] string? Lifecycle,
    string? Endpoint,
    [property: Description("Relevance; higher is better, comparable only within one result.")] double Score,
    [property: Description("The capabilities that matched the query.")] IReadOnlyList<SearchMatch> Matches,
    AgentReach Reach);
