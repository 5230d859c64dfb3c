using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>One way to call an A2A agent, as its card declares it (a capability of kind <c>a2a.interface</c>).</summary>
internal sealed record A2aInterfaceView(
    [property: Description("The URL to send A2A requests to.")] string Url,
    [property: Description("The protocol binding: JSONRPC, GRPC or HTTP+JSON.")] string? Binding,
    [property: Description("The A2A protocol version this interface speaks, when the card says.")] string? ProtocolVersion,
    [property: Description("The tenant to name in requests, when the card gives one.")] string? Tenant);
