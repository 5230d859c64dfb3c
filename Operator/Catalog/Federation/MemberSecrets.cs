using System.Security.Cryptography;
using AgentLens.Operator.Domain;
using k8s.KubeConfigModels;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// A member Secret (the pattern Argo CD uses): a kubeconfig under <c>kubeconfig</c>; the cluster is named by
/// annotation <c>agentlens.io/cluster-name</c>, else by the Secret's name. A kubeconfig with an <c>exec</c>
/// user is refused: whoever may write a Secret here would otherwise run a command in the hub's pod (exec
/// plugins belong to ClusterProfile access providers, configured on the hub itself).
/// </summary>
internal static class MemberSecrets
{
    public const string KubeconfigKey = "kubeconfig";

    public static MemberSpec Read(V1Secret secret)
    {
        var from = $"Secret {secret.Metadata?.NamespaceProperty}/{secret.Metadata?.Name}";
        var cluster = (secret.Metadata?.Annotations is { } annotations && annotations.TryGetValue(Annotations.ClusterNameAnnotation, out var named) ? named : null)
            ?? secret.Metadata?.Name ?? string.Empty;
        if (!ClusterIdentity.IsValid(cluster))
        {
            return new MemberSpec(cluster, from, string.Empty, null, "the cluster name (annotation agentlens.io/cluster-name, else the Secret's name) is not a DNS label of at most 63 characters");
        }

        if (secret.Data is null || !secret.Data.TryGetValue(KubeconfigKey, out var bytes) || bytes is not { Length: > 0 })
        {
            return new MemberSpec(cluster, from, string.Empty, null, $"the Secret has no '{KubeconfigKey}' key");
        }

        K8SConfiguration kubeconfig;
        try
        {
            using var stream = new MemoryStream(bytes);
            kubeconfig = KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (Exception)
        {
            // Whatever the parser says about hostile bytes, the hub says only this.
            return new MemberSpec(cluster, from, string.Empty, null, $"its '{KubeconfigKey}' is not a kubeconfig");
        }

        if (kubeconfig.Users?.Any(u => u.UserCredentials?.ExternalExecution is not null || u.UserCredentials?.AuthProvider is not null) == true)
        {
            return new MemberSpec(cluster, from, string.Empty, null, "its kubeconfig runs an exec or auth-provider plugin, which a Secret may not ask the hub to run (use a ClusterProfile access provider)");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        return new MemberSpec(cluster, from, hash, () => KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig, null, null));
    }
}
