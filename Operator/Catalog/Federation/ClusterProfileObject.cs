using System.Text.Json.Serialization;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// A ClusterProfile (<c>multicluster.x-k8s.io/v1alpha2</c>, SIG Multicluster's cluster inventory), as much of it
/// as the hub reads: its name and its access providers (server, CA, TLS settings), each named for one of the
/// consumer's configured credential providers.
/// </summary>
internal sealed class ClusterProfileObject : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "multicluster.x-k8s.io";
    public const string Version = "v1alpha2";
    public const string Plural = "clusterprofiles";

    public string ApiVersion { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public V1ObjectMeta Metadata { get; set; } = new();

    public ClusterProfileStatus? Status { get; set; }
}

internal sealed class ClusterProfileStatus
{
    public IList<AccessProvider>? AccessProviders { get; set; }
}

internal sealed class AccessProvider
{
    public string? Name { get; set; }

    public AccessCluster? Cluster { get; set; }
}

/// <summary>The connection details, in the kubeconfig's spelling (the API keeps it).</summary>
internal sealed class AccessCluster
{
    public string? Server { get; set; }

    [JsonPropertyName("tls-server-name")]
    public string? TlsServerName { get; set; }

    [JsonPropertyName("insecure-skip-tls-verify")]
    public bool InsecureSkipTlsVerify { get; set; }

    [JsonPropertyName("certificate-authority-data")]
    public string? CertificateAuthorityData { get; set; }
}

internal sealed class ClusterProfileList
{
    public V1ListMeta Metadata { get; set; } = new();

    public IList<ClusterProfileObject> Items { get; set; } = [];
}
