using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace AgentLens.Operator.Api;

/// <summary>Who is asking, as Kubernetes authenticated them.</summary>
internal sealed record UserInfo(string Name, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra, string? Uid = null)
{
    public static readonly UserInfo Anonymous = new("system:anonymous", ["system:unauthenticated"], new Dictionary<string, IReadOnlyList<string>>());

    public bool IsAnonymous => Name == Anonymous.Name;
}

/// <summary>The request-header settings kube-apiserver publishes for extension API servers.</summary>
internal sealed record RequestHeaderConfig(
    X509Certificate2Collection ClientCas,
    IReadOnlyList<string> AllowedNames,
    IReadOnlyList<string> UsernameHeaders,
    IReadOnlyList<string> GroupHeaders,
    IReadOnlyList<string> ExtraHeaderPrefixes)
{
    public const string ConfigMapNamespace = "kube-system";
    public const string ConfigMapName = "extension-apiserver-authentication";

    /// <summary>Reads the ConfigMap's data as kube-apiserver writes it (PEM CA bundle, JSON string arrays).</summary>
    public static RequestHeaderConfig? From(IDictionary<string, string>? data)
    {
        if (data?.TryGetValue("requestheader-client-ca-file", out var pem) != true || string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        var cas = new X509Certificate2Collection();
        cas.ImportFromPem(pem);
        string[] List(string key) => data.TryGetValue(key, out var json) && !string.IsNullOrWhiteSpace(json)
            ? JsonSerializer.Deserialize(json, RequestHeaderJson.Default.StringArray) ?? []
            : [];
        return new RequestHeaderConfig(cas, List("requestheader-allowed-names"), List("requestheader-username-headers"),
            List("requestheader-group-headers"), List("requestheader-extra-headers-prefix"));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class RequestHeaderJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>
/// Authenticates requests the aggregation layer forwards, as every extension API server must: the
/// connection's client certificate has to chain to the request-header CA from
/// <c>kube-system/extension-apiserver-authentication</c> (for client authentication) and carry one of the
/// allowed common names; only then are <c>X-Remote-User</c>, <c>X-Remote-Group</c> and
/// <c>X-Remote-Extra-*</c> believed. Anything else is not the aggregator, and its headers are ignored.
/// The ConfigMap is re-read every minute, so a rotated front-proxy CA is picked up without a restart.
/// </summary>
internal sealed class FrontProxyAuthentication(IKubernetes client, TimeProvider time, ILogger<FrontProxyAuthentication> logger) : IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(1);
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly SemaphoreSlim refresh = new(1, 1);
    private RequestHeaderConfig? config;
    private DateTimeOffset loadedAt = DateTimeOffset.MinValue;

    /// <summary>
    /// The forwarded user when the connection is the aggregator's (anonymous when it names nobody), or null
    /// with the reason when it is not.
    /// </summary>
    public async Task<(UserInfo? User, string? Problem)> AuthenticateAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var certificate = http.Connection.ClientCertificate;
        if (certificate is null)
        {
            return (null, "no client certificate");
        }

        var current = await ConfigAsync(cancellationToken);
        if (current is null)
        {
            return (null, $"the request-header CA ({RequestHeaderConfig.ConfigMapNamespace}/{RequestHeaderConfig.ConfigMapName}) is not available");
        }

        if (!Chains(certificate, current.ClientCas))
        {
            return (null, "the client certificate is not signed by the request-header CA");
        }

        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (current.AllowedNames.Count > 0 && !current.AllowedNames.Contains(commonName, StringComparer.Ordinal))
        {
            return (null, $"the client certificate's common name '{commonName}' is not an allowed request-header name");
        }

        var headers = http.Request.Headers;
        var name = current.UsernameHeaders.Select(h => headers[h].FirstOrDefault()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        if (name is null)
        {
            return (UserInfo.Anonymous, null);
        }

        var groups = current.GroupHeaders.SelectMany(h => headers[h].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)).ToList();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, values) in headers)
        {
            var prefix = current.ExtraHeaderPrefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            if (prefix is not null)
            {
                // Extra keys travel percent-encoded and case-folded (the Kubernetes request-header convention).
                extra[Uri.UnescapeDataString(key[prefix.Length..]).ToLowerInvariant()] = [.. values.Where(v => v is not null).Select(v => v!)];
            }
        }

        return (new UserInfo(name, groups, extra), null);
    }

    private static bool Chains(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        return chain.Build(certificate);
    }

    private async Task<RequestHeaderConfig?> ConfigAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - loadedAt < RefreshEvery)
        {
            return config;
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - loadedAt >= RefreshEvery)
            {
                try
                {
                    var configMap = await client.CoreV1.ReadNamespacedConfigMapAsync(RequestHeaderConfig.ConfigMapName, RequestHeaderConfig.ConfigMapNamespace, cancellationToken: cancellationToken);
                    config = RequestHeaderConfig.From(configMap.Data) ?? config;
                    loadedAt = time.GetUtcNow();
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Keep what was known; without it every forwarded request is refused (fail closed).
                    Log.RequestHeaderConfigUnavailable(logger, RequestHeaderConfig.ConfigMapNamespace, RequestHeaderConfig.ConfigMapName, e.Message);
                    loadedAt = time.GetUtcNow() - RefreshEvery + TimeSpan.FromSeconds(5);
                }
            }

            return config;
        }
        finally
        {
            refresh.Release();
        }
    }

    public void Dispose() => refresh.Dispose();
}
