using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>How to reach an agent: its A2A interfaces or its MCP endpoint, the authentication it declares, and whether it needs authorization.</summary>
internal sealed record AgentReach(
    [property: Description("For an A2A agent: the interfaces its card declares.")] IReadOnlyList<A2aInterfaceView> A2aInterfaces,
    [property: Description("For an MCP server: where it listens and over which transport.")] McpRemoteView? Mcp,
    AgentAuthentication Authentication,
    [property: Description("Whether the agent needs credentials and who grants them; null: it declares no security and answered without credentials.")] AuthorizationView? Authorization);
