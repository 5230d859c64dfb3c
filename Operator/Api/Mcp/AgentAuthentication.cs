using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>What authentication an agent declares: the schemes it knows and the alternatives it requires (any one of them).</summary>
internal sealed record AgentAuthentication(
    [property: Description("The security schemes the agent's card declares.")] IReadOnlyList<AuthSchemeView> Schemes,
    [property: Description("Alternatives, any one of which satisfies the agent; empty: the card requires none.")] IReadOnlyList<AuthRequirementView> Required);
