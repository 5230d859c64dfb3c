using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>Names and label values for catalog ConfigMaps, derived deterministically from an entry.</summary>
internal static partial class CatalogNames
{
    public const string StatusConfigMap = "agentlens-status";
    public const string EntryKey = "agenttype.json";
    public const string CardKey = "card.json";
    public const string StatusKey = "status.json";
    private const int MaxNameLength = 63;

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotDns();

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex NotLabel();

    /// <summary>
    /// <c>agt-&lt;protocol&gt;-&lt;readable part&gt;-&lt;8 hex of sha256(endpoint)&gt;</c>, a DNS-1123 label.
    /// The hash makes it unique per endpoint; the readable part says where the agent came from:
    /// <c>&lt;namespace&gt;-&lt;service&gt;</c> for a Service, the name for a static source, else the host.
    /// </summary>
    public static string ForEntry(Protocol protocol, string endpoint, SourceRef? source = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint)))[..8];
        var readable = source switch
        {
            { Type: SourceType.Kubernetes, Namespace: { } ns } => $"{ns}-{source.Name}",
            { Type: SourceType.Static } => source.Name,
            _ => new Uri(endpoint).Host.Replace('.', '-'),
        };

        var prefix = $"agt-{protocol.ToWire()}-";
        readable = NotDns().Replace(readable.ToLowerInvariant(), "-").Trim('-');
        var room = MaxNameLength - prefix.Length - hash.Length - 1;
        if (readable.Length > room)
        {
            readable = readable[..room].TrimEnd('-');
        }

        return readable.Length == 0 ? prefix + hash : $"{prefix}{readable}-{hash}";
    }

    /// <summary>A valid label value (at most 63 characters, alphanumeric at both ends), or empty.</summary>
    public static string LabelValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var cleaned = NotLabel().Replace(value, "-");
        if (cleaned.Length > 63)
        {
            cleaned = cleaned[..63];
        }

        return cleaned.Trim('-', '_', '.');
    }

    /// <summary>The labels that make `kubectl get -l … -L …` the catalog view.</summary>
    public static ImmutableDictionary<string, string> Labels(AgentType entry)
    {
        var labels = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels[Annotations.ManagedByLabel] = Annotations.ManagedByValue;
        labels[Annotations.CatalogLabel] = Annotations.CatalogEntryValue;
        labels[Annotations.ProtocolLabel] = entry.Spec.Protocol.ToWire();
        labels[Annotations.SourceLabel] = entry.Spec.Source.Type.ToWire();
        labels[Annotations.LifecycleLabel] = entry.Status.Lifecycle.ToString();
        if (LabelValue(entry.Spec.Team) is { Length: > 0 } team)
        {
            labels[Annotations.TeamLabel] = team;
        }

        if (LabelValue(entry.Spec.Source.Namespace) is { Length: > 0 } ns)
        {
            labels[Annotations.SourceNamespaceLabel] = ns;
        }

        if (LabelValue(entry.Status.Cluster) is { Length: > 0 } cluster)
        {
            labels[Annotations.ClusterLabel] = cluster;
        }

        if (Signed(entry) is { } signed)
        {
            labels[Annotations.SignedLabel] = signed;
        }

        return labels.ToImmutable();
    }

    /// <summary><c>verified</c>, <c>unverified</c> (signed, not by a trusted key that checks out) or <c>unsigned</c>; null before any check.</summary>
    public static string? Signed(AgentType entry) =>
        (entry.Status.Conditions.IsDefault ? null : entry.Status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.SignatureVerified)) switch
        {
            null => null,
            { Status: ConditionStatus.True } => "verified",
            { Reason: "Unsigned" } => "unsigned",
            _ => "unverified",
        };

    /// <summary>The label keys this operator owns on an entry; others' labels are left alone.</summary>
    public static readonly ImmutableHashSet<string> OwnedLabels =
    [
        Annotations.ManagedByLabel, Annotations.CatalogLabel, Annotations.ProtocolLabel, Annotations.SourceLabel,
        Annotations.LifecycleLabel, Annotations.TeamLabel, Annotations.SourceNamespaceLabel, Annotations.SignedLabel, Annotations.ClusterLabel,
    ];
}
