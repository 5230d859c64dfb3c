using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>One capability of an entry, as the catalog stores it.</summary>
internal sealed record CapabilityView(
    [property: Description("a2a.skill, a2a.interface, a2a.extension, a2a.security_scheme, a2a.security_requirement, a2a.signature, mcp.tool, mcp.resource or mcp.prompt.")] string Kind,
    string Name,
    string? Description,
    IReadOnlyList<string> Tags,
    [property: Description("Kind-specific details, e.g. an interface's url and transport.")] IReadOnlyDictionary<string, string> Properties);
