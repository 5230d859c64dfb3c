using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>In-cluster configuration inside a pod, the kubeconfig (option, KUBECONFIG or ~/.kube/config) elsewhere.</summary>
internal static class KubernetesClientFactory
{
    public static KubernetesClientConfiguration LoadConfiguration(string? kubeconfigPath)
    {
        if (!string.IsNullOrEmpty(kubeconfigPath))
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile();
    }

    public static void AddKubernetesAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => LoadConfiguration(sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Kubeconfig));
        builder.Services.AddSingleton<IKubernetes>(sp => new Kubernetes(sp.GetRequiredService<KubernetesClientConfiguration>(), new RequestCounter(sp.GetRequiredService<Metrics>())));
    }

    /// <summary>Counts every request to the API server by verb, so a cycle can say what it cost (and a benchmark check it).</summary>
    internal sealed class RequestCounter(Metrics metrics) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            metrics.ApiRequest(Verb(request));
            return base.SendAsync(request, cancellationToken);
        }

        public static string Verb(HttpRequestMessage request)
        {
            var query = request.RequestUri?.Query ?? string.Empty;
            return request.Method.Method switch
            {
                "GET" when query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) => "watch",
                "GET" when query.Contains("limit=", StringComparison.Ordinal) || query.Contains("labelSelector=", StringComparison.Ordinal) => "list",
                "GET" => "get",
                "POST" => "create",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                var other => other.ToLowerInvariant(),
            };
        }
    }
}
