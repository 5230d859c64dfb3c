using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Hosting;

/// <summary>Where the catalog's namespace comes from, resolved once at start-up.</summary>
internal static class StoreNamespaceResolver
{
    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>The option, else the pod's namespace, else the kubeconfig context's, else "default" — as kubectl would.</summary>
    public static StoreNamespace Resolve(OperatorOptions options, KubernetesClientConfiguration config)
    {
        if (!string.IsNullOrWhiteSpace(options.Store.Namespace))
        {
            return new(options.Store.Namespace);
        }

        if (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod)
        {
            return new(pod);
        }

        if (File.Exists(ServiceAccountNamespaceFile))
        {
            return new(File.ReadAllText(ServiceAccountNamespaceFile).Trim());
        }

        return new(string.IsNullOrWhiteSpace(config.Namespace) ? "default" : config.Namespace);
    }
}
