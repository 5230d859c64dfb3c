using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>What the agent's card says about it, and how the catalog found it.</summary>
internal sealed record CardSummary(
    string? DisplayName,
    string? Description,
    string? Version,
    string? ProtocolVersion,
    string? ProviderOrganization,
    string? ProviderUrl,
    string? CardUrl,
    string? Team,
    IReadOnlyList<string> Tags,
    [property: Description("Where the entry came from: kubernetes:<namespace>/<service>, static:<name> or push:<name>.")] string? Source,
    [property: Description("Why a hand-written entry could not be read, if it could not.")] string? Problem);
