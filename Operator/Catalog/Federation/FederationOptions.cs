using System.ComponentModel.DataAnnotations;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>A hub's options (<c>--federation</c>); bound from <c>AgentLens:Federation</c>. Member entries leave after <c>--retention</c>.</summary>
internal sealed class FederationOptions
{
    /// <summary>This replica is a hub: it lists and watches its members' agenttypes and serves them with its own.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the member Secrets (and ClusterProfiles) are; empty: the store namespace.</summary>
    [RegularExpression(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$", ErrorMessage = "federation namespace must be a DNS-1123 label")]
    public string? Namespace { get; set; }

    /// <summary>How long a member may fail before its entries are marked ClusterReachable=False (they are kept).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "federation grace period must be between 0 and 24h")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One list (or probe) of a member ends by then.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "federation timeout must be between 1s and 10m")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest response read from a member (a list, or one watch stream before it is reopened).</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024, ErrorMessage = "federation max bytes must be between 64 KiB and 1 GiB")]
    public int MaxBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Entries taken from one member at most; more are refused and counted, the member's others kept.</summary>
    [Range(1, 1_000_000, ErrorMessage = "federation max entries must be between 1 and 1000000")]
    public int MaxEntries { get; set; } = 20_000;

    /// <summary>Also read ClusterProfile objects (multicluster.x-k8s.io/v1alpha2) as members.</summary>
    public bool ClusterProfiles { get; set; } = true;

    /// <summary>The credential providers ClusterProfiles' access providers may name (see <see cref="Federation.AccessProviders"/>); empty: none.</summary>
    public string? AccessProvidersPath { get; set; }
}
