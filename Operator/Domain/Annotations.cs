namespace AgentLens.Operator.Domain;

/// <summary>Every annotation and label key the operator reads or writes, built on one prefix.</summary>
internal static class Annotations
{
    public const string Prefix = "agentlens.io/";

    // On Services: how to find and fetch the agent.
    public const string Type = Prefix + "type";
    public const string CardPath = Prefix + "card-path";
    public const string Path = Prefix + "path";
    public const string McpPath = Prefix + "mcp-path";
    public const string Port = Prefix + "port";
    public const string Scheme = Prefix + "scheme";
    public const string Tags = Prefix + "tags";
    public const string Team = Prefix + "team";
    public const string Timeout = Prefix + "timeout";

    // A Secret in the Service's own namespace whose key "token" is sent as a bearer token (read only when enabled).
    public const string CredentialsSecret = Prefix + "credentials-secret";
    public const string CredentialsSecretKey = "token";

    // On catalog ConfigMaps.
    public const string Endpoint = Prefix + "endpoint";
    public const string CatalogLabel = Prefix + "catalog";
    public const string CatalogEntryValue = "entry";
    public const string ProtocolLabel = Prefix + "protocol";
    public const string SourceLabel = Prefix + "source";
    public const string LifecycleLabel = Prefix + "lifecycle";
    public const string TeamLabel = Prefix + "team";
    public const string SourceNamespaceLabel = Prefix + "source-namespace";
    public const string SignedLabel = Prefix + "signed";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "agentlens-operator";

    // On a push entry: the Lease (same namespace) whose renewals keep it alive.
    public const string Lease = Prefix + "lease";

    // On Leases the operator watches for push entries.
    public const string AgentLeaseLabel = Prefix + "agent-lease";

    // Federation: the cluster an entry comes from, the hub that federated it (never federated again), and
    // the Secrets that name a hub's members (with the cluster's name, when not the Secret's).
    public const string ClusterLabel = Prefix + "cluster";
    public const string FederatedByLabel = Prefix + "federated-by";
    public const string MemberClusterLabel = Prefix + "member-cluster";
    public const string ClusterNameAnnotation = Prefix + "cluster-name";
}
