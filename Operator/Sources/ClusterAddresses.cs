using System.Net;
using System.Net.Sockets;

namespace AgentLens.Operator.Sources;

/// <summary>
/// What the Service list tells about where a name or address leads inside the cluster: the namespaces that
/// have Services and every ClusterIP's namespace. Built once per list (a dictionary of the list's ClusterIPs,
/// no extra requests), so an ExternalName can be judged by where the crawler's resolver would take it:
/// <list type="bullet">
/// <item><c>name.ns.svc</c>, <c>name.ns.svc.&lt;clusterDomain&gt;</c> and <c>name.ns.svc.cluster.local</c>
/// (the default domain, in case the configured one is wrong) name namespace <c>ns</c>, listed or not;</item>
/// <item>a relative name <c>name.ns</c> (or <c>pod.name.ns</c>) resolves through the DNS search path
/// (<c>svc.&lt;clusterDomain&gt;</c>) into <c>ns</c> when <c>ns</c> has Services — a name such as
/// <c>api.example.com</c> stays an outside name unless a namespace <c>com</c> has Services;</item>
/// <item>an IP literal (any form the URL parser normalises: dotted, decimal, hex, IPv6, IPv4-mapped IPv6)
/// equal to a listed Service's ClusterIP leads into that Service's namespace.</item>
/// </list>
/// A trailing dot and case do not matter (the source lowercases and trims the name first). With
/// <c>namespaces</c> configured only those namespaces are listed, so only their names and ClusterIPs are known.
/// </summary>
internal sealed class ClusterAddresses
{
    public static readonly ClusterAddresses Empty = new(new HashSet<string>(StringComparer.Ordinal), new Dictionary<IPAddress, string>());

    private readonly IReadOnlySet<string> namespaces;
    private readonly IReadOnlyDictionary<IPAddress, string> clusterIps;

    private ClusterAddresses(IReadOnlySet<string> namespaces, IReadOnlyDictionary<IPAddress, string> clusterIps)
    {
        this.namespaces = namespaces;
        this.clusterIps = clusterIps;
    }

    /// <summary>
    /// Null when <paramref name="host"/> (lowercase, no trailing dot) stays in <paramref name="own"/> namespace
    /// or outside the cluster; else why it does not, for the Service's Event (no more of the name than needed).
    /// </summary>
    public string? CrossNamespace(string host, Uri origin, string own, string clusterDomain)
    {
        if (origin.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(origin.Host.Trim('[', ']'), out var ip)
            && clusterIps.TryGetValue(Canonical(ip), out var owner) && owner != own)
        {
            return $"externalName {Canonical(ip)} is the ClusterIP of a Service in namespace {owner}";
        }

        var target = TargetNamespace(host, clusterDomain);
        return target is not null && target != own ? $"externalName {Brief(host)} resolves to a Service in namespace {target}" : null;
    }

    private string? TargetNamespace(string host, string clusterDomain)
    {
        foreach (var suffix in new[] { ".svc." + clusterDomain, ".svc.cluster.local", ".svc" })
        {
            if (host.EndsWith(suffix, StringComparison.Ordinal))
            {
                var labels = host[..^suffix.Length].Split('.');
                return labels.Length >= 2 ? labels[^1] : null;
            }
        }

        // Relative: the resolver tries <host>.svc.<domain> (and <host>.<own>.svc.<domain>, which stays home).
        var relative = host.Split('.');
        return relative.Length >= 2 && namespaces.Contains(relative[^1]) ? relative[^1] : null;
    }

    private static IPAddress Canonical(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    private static string Brief(string host) => host.Length <= 253 ? host : host[..253];

    /// <summary>Gathers a list's namespaces and ClusterIPs page by page.</summary>
    internal sealed class Builder(IEnumerable<string> configuredNamespaces)
    {
        private readonly HashSet<string> namespaces = new(configuredNamespaces, StringComparer.Ordinal);
        private readonly Dictionary<IPAddress, string> clusterIps = [];

        public void Add(V1Service service)
        {
            var ns = service.Metadata?.NamespaceProperty;
            if (string.IsNullOrEmpty(ns))
            {
                return;
            }

            namespaces.Add(ns);
            foreach (var text in (service.Spec?.ClusterIPs ?? []).Append(service.Spec?.ClusterIP))
            {
                if (IPAddress.TryParse(text, out var ip))
                {
                    clusterIps.TryAdd(Canonical(ip), ns);
                }
            }
        }

        public ClusterAddresses Build() => new(namespaces, clusterIps);
    }
}
