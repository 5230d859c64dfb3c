using System.ComponentModel.DataAnnotations;

namespace AgentLens.Operator.Catalog;

/// <summary>Where and how the catalog is stored; bound from <c>AgentLens:Store</c>.</summary>
internal sealed class StoreOptions
{
    /// <summary>Namespace of the catalog ConfigMaps; empty means the pod's own namespace, else "agentlens-system".</summary>
    [RegularExpression(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$", ErrorMessage = "store namespace must be a DNS-1123 label")]
    public string? Namespace { get; set; }

    /// <summary>Also keep the raw card (when it fits in 256 KiB) in the entry's ConfigMap as card.json.</summary>
    public bool StoreRawCard { get; set; }
}
