namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// One member as the inventory names it: its cluster name, where it was named (for logs), a digest of its
/// credentials and how to build a client configuration from them, or why it cannot be used.
/// </summary>
internal sealed record MemberSpec(string Cluster, string From, string ConfigHash, Func<KubernetesClientConfiguration>? Configuration, string? Problem = null);
