using System.Net;
using System.Text.Json;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// Which cluster this is, resolved once at start-up (entries are written with it, so it must not flicker):
/// the About API's ClusterProperty when the cluster has one, else <c>--cluster-name</c>, else none. A cluster
/// without the About API's CRD answers 404, the common case; any other failure falls back to the flag with a
/// warning, so an API server that is slow at start never keeps the operator from running.
/// </summary>
internal static class ClusterIdentityResolver
{
    public const string Group = "about.k8s.io";
    public const string Version = "v1alpha1";
    public const string Plural = "clusterproperties";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static ClusterIdentity Resolve(IKubernetes client, string? flag, ILogger logger)
    {
        var identity = FromProperty(client, logger) ?? (string.IsNullOrEmpty(flag) ? ClusterIdentity.None : new ClusterIdentity(flag, ClusterIdentity.FromFlag));
        Log.ClusterIdentityResolved(logger, identity.Name ?? "(none)", identity.Source);
        return identity;
    }

    private static ClusterIdentity? FromProperty(IKubernetes client, ILogger logger)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Bound);
            // Sync over async once, at start-up: the reconciler's options are built from it.
            var property = client.CustomObjects.GetClusterCustomObjectAsync(Group, Version, Plural, ClusterIdentity.PropertyName, timeout.Token).GetAwaiter().GetResult();
            var value = property is JsonElement { ValueKind: JsonValueKind.Object } json
                && json.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
                && spec.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (ClusterIdentity.IsValid(value))
            {
                return new ClusterIdentity(value, ClusterIdentity.FromProperty);
            }

            Log.ClusterPropertyUnusable(logger, "its spec.value is not a DNS label of at most 63 characters");
            return null;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException or JsonException)
        {
            Log.ClusterPropertyUnusable(logger, e is HttpOperationException h ? $"reading it answered {(int?)h.Response?.StatusCode}" : e.GetType().Name);
            return null;
        }
    }
}
