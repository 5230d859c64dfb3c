using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>Where an MCP server listens, and how to speak to it.</summary>
internal sealed record McpRemoteView(
    [property: Description("The MCP endpoint URL.")] string Url,
    [property: Description("The MCP transport: streamable-http.")] string Transport);
