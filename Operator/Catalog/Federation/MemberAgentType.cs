using System.Text.Json;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// An AgentType as a member's API serves it, for the Kubernetes client to read: metadata typed, spec and
/// status kept as JSON until <see cref="FederatedEntries"/> has checked them (a member is as hostile as an agent).
/// </summary>
internal sealed class MemberAgentType : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public V1ObjectMeta Metadata { get; set; } = new();

    public JsonElement? Spec { get; set; }

    public JsonElement? Status { get; set; }
}

/// <summary>An <c>AgentTypeList</c> as a member serves it.</summary>
internal sealed class MemberAgentTypeList
{
    public string ApiVersion { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public V1ListMeta Metadata { get; set; } = new();

    public IList<MemberAgentType> Items { get; set; } = [];
}
