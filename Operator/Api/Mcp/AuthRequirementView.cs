using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>One alternative a caller may satisfy: all of its schemes together, with these scopes.</summary>
internal sealed record AuthRequirementView(
    [property: Description("The schemes required together (names of authentication.schemes).")] IReadOnlyList<string> Schemes,
    [property: Description("The OAuth scopes each scheme needs, comma-separated, by scheme name.")] IReadOnlyDictionary<string, string> Scopes);
