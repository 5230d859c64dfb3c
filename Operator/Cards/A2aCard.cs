using System.Text.Json;

namespace AgentLens.Operator.Cards;

/// <summary>
/// The union of the A2A agent card shapes we read: 0.2.x (<c>url</c>), 0.3.x (<c>protocolVersion</c>,
/// <c>preferredTransport</c>, <c>additionalInterfaces</c>, <c>security</c>) and 1.0
/// (<c>supportedInterfaces</c>, <c>securityRequirements</c>). Fields whose shape differs between versions
/// or in the wild stay <see cref="JsonElement"/> and are read leniently.
/// </summary>
internal sealed class A2aCard
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Url { get; set; }
    public string? Version { get; set; }
    public string? IconUrl { get; set; }
    public string? DocumentationUrl { get; set; }
    public string? ProtocolVersion { get; set; }
    public string? PreferredTransport { get; set; }
    public JsonElement Provider { get; set; }
    public List<A2aInterface>? AdditionalInterfaces { get; set; }
    public List<A2aInterface>? SupportedInterfaces { get; set; }
    public A2aCapabilities? Capabilities { get; set; }
    public List<A2aSkill>? Skills { get; set; }
    public Dictionary<string, JsonElement>? SecuritySchemes { get; set; }
    public List<JsonElement>? Security { get; set; }
    public List<JsonElement>? SecurityRequirements { get; set; }
    public List<A2aSignature>? Signatures { get; set; }
    public bool? SupportsAuthenticatedExtendedCard { get; set; }
}

internal sealed class A2aInterface
{
    public string? Url { get; set; }
    public string? Transport { get; set; }
    public string? ProtocolBinding { get; set; }
    public string? ProtocolVersion { get; set; }
    public string? Tenant { get; set; }
}

internal sealed class A2aCapabilities
{
    public bool? Streaming { get; set; }
    public bool? PushNotifications { get; set; }
    public bool? StateTransitionHistory { get; set; }
    public bool? ExtendedAgentCard { get; set; }
    public List<A2aExtension>? Extensions { get; set; }
}

internal sealed class A2aExtension
{
    public string? Uri { get; set; }
    public string? Description { get; set; }
    public bool? Required { get; set; }
}

internal sealed class A2aSkill
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public List<string>? Tags { get; set; }
    public List<string>? Examples { get; set; }
    public List<string>? InputModes { get; set; }
    public List<string>? OutputModes { get; set; }
}

internal sealed class A2aSignature
{
    public string? Protected { get; set; }
    public string? Signature { get; set; }
}
