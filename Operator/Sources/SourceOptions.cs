namespace AgentLens.Operator.Sources;

/// <summary>What the sources are told at start-up (built from the validated operator options by the host).</summary>
internal sealed record SourceOptions
{
    /// <summary>Namespaces whose Services are discovered; empty means all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public string? LabelSelector { get; init; }

    public string ClusterDomain { get; init; } = "cluster.local";

    public string StaticSourcesPath { get; init; } = "/etc/agentlens/sources.yaml";

    /// <summary>Let an ExternalName Service name another namespace's Service (off: a tenant cannot announce another's agent).</summary>
    public bool AllowCrossNamespaceExternalName { get; init; }

    /// <summary>Honour <c>agentlens.io/credentials-secret</c> on Services (off: the annotation is ignored).</summary>
    public bool CredentialsSecrets { get; init; }

    /// <summary>Directories a static source's bearerTokenFile may be read from.</summary>
    public IReadOnlyList<string> TokenDirectories { get; init; } = [];
}
