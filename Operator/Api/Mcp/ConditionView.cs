using System.ComponentModel;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>One status condition of an entry (Kubernetes style).</summary>
internal sealed record ConditionView(
    [property: Description("CardFetched, CardValid, Discovered, Truncated, LeaseHeld, CapabilitiesListed or SignatureVerified.")] string Type,
    [property: Description("True, False or Unknown.")] string Status,
    string Reason,
    string? Message,
    DateTimeOffset LastTransitionTime);
