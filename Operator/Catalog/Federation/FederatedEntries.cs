using System.Text.Json;
using System.Text.RegularExpressions;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>One member entry as checked and kept by the hub, before it is shown with the member's reachability.</summary>
internal sealed record MemberEntry(string Name, string Namespace, string ResourceVersion, string? Uid, DateTime? Created, bool IsPush, AgentType Entry,
    ImmutableDictionary<string, string> Labels);

/// <summary>Whether a member answers, as its entries show it (condition <c>ClusterReachable</c>).</summary>
internal sealed record Reachability(bool Reachable, string Reason, string Message, DateTimeOffset Since)
{
    public static Reachability Up(DateTimeOffset since) => new(true, "Reachable", "the hub lists and watches this cluster's agenttypes", since);
}

/// <summary>
/// How a member's AgentType becomes a hub entry, and what is refused: an entry another hub federated (no
/// loops), a name or namespace that is not a Kubernetes name, an entry that is not a valid AgentType
/// (<see cref="EntryCheck"/>, as for a push entry), an entry larger than a ConfigMap could hold. The entry is
/// named <c>&lt;cluster&gt;.&lt;name&gt;</c> (unique across members; a local entry's name never has a dot),
/// keeps its namespace, and carries its cluster as the hub knows it, whatever the member claims.
/// </summary>
internal static partial class FederatedEntries
{
    private const int MaxEntryBytes = 1024 * 1024;
    private const int MaxLabels = 32;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,187}[a-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Namespace();

    /// <summary>The entry as the hub keeps it, or why it is skipped (a metric's reason word; the member's text is never quoted).</summary>
    public static (MemberEntry? Entry, string? Skipped) Read(MemberAgentType item)
    {
        var metadata = item.Metadata;
        if (metadata?.Labels?.ContainsKey(Annotations.FederatedByLabel) == true)
        {
            return (null, "federated");
        }

        if (metadata?.Name is not { } name || !Name().IsMatch(name) || metadata.NamespaceProperty is not { } ns || !Namespace().IsMatch(ns))
        {
            return (null, "invalid_name");
        }

        if (item.Spec is not { ValueKind: JsonValueKind.Object } spec || item.Status is { ValueKind: not JsonValueKind.Object })
        {
            return (null, "invalid");
        }

        AgentType entry;
        try
        {
            entry = CatalogJson.Deserialize(Document(name, ns, spec, item.Status));
        }
        catch (JsonException)
        {
            return (null, "invalid");
        }

        if (EntryCheck.Problem(entry) is not null)
        {
            return (null, "invalid");
        }

        var labels = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata.Labels ?? new Dictionary<string, string>())
        {
            // Only the catalog's own labels, as label values: what -l selects on, nothing a member invents.
            if (labels.Count < MaxLabels && (key.StartsWith(Annotations.Prefix, StringComparison.Ordinal) || key == Annotations.ManagedByLabel)
                && key.Length <= 63 + Annotations.Prefix.Length && value is not null && CatalogNames.LabelValue(value) == value)
            {
                labels[key] = value;
            }
        }

        var isPush = labels.GetValueOrDefault(Annotations.SourceLabel) == SourceType.Push.ToWire();
        var created = metadata.CreationTimestamp is { } c ? DateTime.SpecifyKind(c, DateTimeKind.Utc) : (DateTime?)null;
        return (new MemberEntry(name, ns, metadata.ResourceVersion ?? string.Empty, metadata.Uid, created, isPush, entry, labels.ToImmutable()), null);
    }

    /// <summary>The hub entry readers see: named for its cluster, in its namespace, with the cluster's reachability.</summary>
    public static StoredEntry? Render(MemberEntry member, string cluster, string hub, Reachability reachability)
    {
        var condition = new Condition
        {
            Type = ConditionTypes.ClusterReachable,
            Status = reachability.Reachable ? ConditionStatus.True : ConditionStatus.False,
            Reason = reachability.Reason,
            Message = reachability.Message,
            LastTransitionTime = CatalogJson.Truncate(reachability.Since),
        };
        var status = member.Entry.Status;
        var name = $"{cluster}.{member.Name}";
        var entry = member.Entry with
        {
            Metadata = new AgentMetadata { Name = name, Namespace = member.Namespace },
            Status = status with
            {
                Cluster = cluster,
                Conditions = [.. status.Conditions.Where(x => x.Type != ConditionTypes.ClusterReachable).Append(condition).OrderBy(x => x.Type, StringComparer.Ordinal)],
            },
        };
        var json = CatalogJson.SerializeToString(entry);
        if (json.Length > MaxEntryBytes)
        {
            return null;
        }

        return new StoredEntry
        {
            Name = name,
            Namespace = member.Namespace,
            ResourceVersion = member.ResourceVersion,
            Uid = member.Uid,
            IsPush = member.IsPush,
            Endpoint = entry.Spec.Endpoint,
            Entry = entry,
            Json = json,
            Labels = member.Labels.SetItem(Annotations.ClusterLabel, cluster).SetItem(Annotations.FederatedByLabel, hub),
            Created = member.Created,
            Origin = new FederatedOrigin(cluster, member.Namespace, member.Name),
        };
    }

    private static string Document(string name, string ns, JsonElement spec, JsonElement? status)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", AgentType.CurrentApiVersion);
            w.WriteString("kind", AgentType.TypeKind);
            w.WriteStartObject("metadata");
            w.WriteString("name", name);
            w.WriteString("namespace", ns);
            w.WriteEndObject();
            w.WritePropertyName("spec");
            spec.WriteTo(w);
            if (status is { } s)
            {
                w.WritePropertyName("status");
                s.WriteTo(w);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
