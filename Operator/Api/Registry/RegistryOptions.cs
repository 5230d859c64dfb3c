using System.ComponentModel.DataAnnotations;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Registry;

/// <summary>The MCP Registry API v0.1 (and the AI Catalog manifests) on its own listener; bound from <c>AgentLens:Registry</c>.</summary>
internal sealed class RegistryOptions
{
    /// <summary>Where the registry is served; "0" (the default) turns it off.</summary>
    [RegularExpression(ListenAddress.Pattern, ErrorMessage = "registry bindAddress must be [host]:port or 0")]
    public string BindAddress { get; set; } = ListenAddress.Off;

    /// <summary>PEM serving certificate (its chain may follow); empty: plain HTTP, which IDEs refuse outside localhost.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Label selector of the namespaces whose entries anonymous callers see (the public view), e.g.
    /// <c>agentlens.io/registry=public</c>; empty: anonymous callers get 401.
    /// </summary>
    public string? PublicNamespaces { get; set; }

    /// <summary>How often the public namespaces are listed again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "registry publicNamespacesRefresh must be between 1s and 1h")]
    public TimeSpan PublicNamespacesRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>namespace=https://base</c>: the URL clients connect to for that namespace's MCP servers is this base
    /// followed by the entry endpoint's path (a gateway or Ingress in front of them); others get the endpoint.
    /// </summary>
    public List<string> PublicBaseUrls { get; set; } = [];

    /// <summary>The first part of names derived for entries without a usable card name: <c>io.agentlens.{ClusterName}/{namespace}.{entry}</c>.</summary>
    [RegularExpression(@"^[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$", ErrorMessage = "registry clusterName must be DNS labels joined by dots")]
    public string ClusterName { get; set; } = "cluster";

    /// <summary>Removed entries remembered as <c>deleted</c> for <c>updated_since</c> pulls, at most.</summary>
    [Range(0, 1_000_000, ErrorMessage = "registry tombstones must be between 0 and 1000000")]
    public int Tombstones { get; set; } = 10_000;

    /// <summary>How long a removed entry is remembered as <c>deleted</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "registry tombstoneAge must be between 0 and 30 days")]
    public TimeSpan TombstoneAge { get; set; } = TimeSpan.FromDays(7);

    public bool IsOn => !ListenAddress.IsOff(BindAddress);

    /// <summary>The base URL per namespace, from <see cref="PublicBaseUrls"/> (checked by <see cref="Problems"/>).</summary>
    public IReadOnlyDictionary<string, Uri> BaseUrls() => PublicBaseUrls
        .Select(p => p.Split('=', 2))
        .Where(p => p.Length == 2 && Uri.TryCreate(p[1].Trim(), UriKind.Absolute, out _))
        .ToDictionary(p => p[0].Trim(), p => new Uri(p[1].Trim().TrimEnd('/')), StringComparer.Ordinal);

    /// <summary>Rules between these options, which attributes cannot express; checked at start-up.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrEmpty(CertFile) != string.IsNullOrEmpty(KeyFile))
        {
            yield return "registry certFile and keyFile must be given together";
        }

        foreach (var file in new[] { CertFile, KeyFile }.Where(f => !string.IsNullOrEmpty(f) && !File.Exists(f)))
        {
            yield return $"registry: '{file}' does not exist";
        }

        if (!string.IsNullOrWhiteSpace(PublicNamespaces) && !LabelSelector.TryParse(PublicNamespaces, [], out var error))
        {
            yield return $"registry publicNamespaces is not a label selector: {error}";
        }

        foreach (var pair in PublicBaseUrls)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0
                || !Uri.TryCreate(parts[1].Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                yield return $"registry publicBaseUrls: '{pair}' must be namespace=http(s)://host[/path]";
            }
        }
    }
}
