using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;
using k8s.KubeConfigModels;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// Members named by ClusterProfiles (v1alpha2) in the federation namespace: the cluster is the profile's name;
/// its connection is the first access provider the hub has a credential provider for (server, CA, TLS
/// settings from the profile; the exec credential plugin from the hub's own configuration, which the
/// Kubernetes client runs). A cluster without the CRD has no ClusterProfiles: its list fails, is retried with
/// backoff like any list, and the Secrets work meanwhile.
/// </summary>
internal sealed class ClusterProfileInventory(AccessProviders providers, TimeProvider time, Metrics metrics, ILogger<ClusterProfileInventory> logger) : IMemberInventory
{
    public Task RunAsync(IKubernetes client, string @namespace, Action<string, MemberSpec?> changed, CancellationToken cancellationToken) =>
        new Reflector<ClusterProfileObject>(new ListWatch(client, @namespace), change =>
            changed($"clusterprofile {change.Key}", change.Kind == WatchEventKind.Deleted ? null : Read(change.Object!)), time, metrics, logger).RunAsync(cancellationToken);

    internal MemberSpec Read(ClusterProfileObject profile)
    {
        var cluster = profile.Metadata?.Name ?? string.Empty;
        var from = $"ClusterProfile {profile.Metadata?.NamespaceProperty}/{cluster}";
        if (!ClusterIdentity.IsValid(cluster))
        {
            return new MemberSpec(cluster, from, string.Empty, null, "its name is not a DNS label of at most 63 characters");
        }

        var (access, provider) = (profile.Status?.AccessProviders ?? []).Select(a => (a, providers.Find(a?.Name))).FirstOrDefault(p => p.Item2 is not null && p.a?.Cluster?.Server is not null);
        if (access is null || provider?.ExecConfig is not { } exec)
        {
            return new MemberSpec(cluster, from, string.Empty, null, "none of its access providers is one the hub has a credential provider for (--federation-access-providers)");
        }

        if (!Uri.TryCreate(access.Cluster!.Server, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
        {
            return new MemberSpec(cluster, from, string.Empty, null, "its access provider's server is not an http(s) URL");
        }

        var kubeconfig = new K8SConfiguration
        {
            CurrentContext = cluster,
            Clusters = [new Cluster
            {
                Name = cluster,
                ClusterEndpoint = new ClusterEndpoint
                {
                    Server = server.ToString().TrimEnd('/'),
                    CertificateAuthorityData = access.Cluster.CertificateAuthorityData,
                    SkipTlsVerify = access.Cluster.InsecureSkipTlsVerify,
                    TlsServerName = access.Cluster.TlsServerName,
                },
            }],
            Users = [new User
            {
                Name = cluster,
                UserCredentials = new UserCredentials
                {
                    ExternalExecution = new ExternalExecution
                    {
                        ApiVersion = exec.ApiVersion,
                        Command = exec.Command,
                        Arguments = [.. exec.Args],
                        EnvironmentVariables = [.. exec.Env.Select(e => new Dictionary<string, string> { ["name"] = e.Name ?? string.Empty, ["value"] = e.Value ?? string.Empty })],
                    },
                },
            }],
            Contexts = [new Context { Name = cluster, ContextDetails = new ContextDetails { Cluster = cluster, User = cluster } }],
        };
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"{kubeconfig.Clusters.First().ClusterEndpoint.Server}|{access.Cluster.CertificateAuthorityData}|{access.Cluster.InsecureSkipTlsVerify}|{access.Cluster.TlsServerName}|{provider.Name}")))[..16];
        return new MemberSpec(cluster, from, hash, () => KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig, cluster, null));
    }

    private sealed class ListWatch(IKubernetes client, string @namespace) : IListWatch<ClusterProfileObject>
    {
        public string Resource => "clusterprofiles";

        public string Scope => $"namespace {@namespace}";

        public Task<ListPage<ClusterProfileObject>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken) =>
            KubernetesListWatch.PageAsync(async () =>
            {
                var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<ClusterProfileList>(ClusterProfileObject.Group, ClusterProfileObject.Version,
                    @namespace, ClusterProfileObject.Plural, continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken);
                return (list?.Items, list?.Metadata);
            });

        public IAsyncEnumerable<WatchEvent<ClusterProfileObject>> WatchAsync(string resourceVersion, CancellationToken cancellationToken) =>
#pragma warning disable CS0618 // the client's only typed watch of a custom resource
            KubernetesListWatch.EventsAsync(onError => client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<ClusterProfileList>(ClusterProfileObject.Group,
                ClusterProfileObject.Version, @namespace, ClusterProfileObject.Plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                timeoutSeconds: KubernetesListWatch.WatchSeconds, watch: true, cancellationToken: cancellationToken)
                .WatchAsync<ClusterProfileObject, ClusterProfileList>(onError, cancellationToken), cancellationToken);
#pragma warning restore CS0618

        public ObjectKey KeyOf(ClusterProfileObject item) => KubernetesListWatch.KeyOf(item);

        public string? VersionOf(ClusterProfileObject item) => KubernetesListWatch.VersionOf(item);
    }
}
