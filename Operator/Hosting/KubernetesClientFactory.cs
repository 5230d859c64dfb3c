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
        builder.Services.AddSingleton<IKubernetes>(sp => new Kubernetes(sp.GetRequiredService<KubernetesClientConfiguration>()));
    }
}
