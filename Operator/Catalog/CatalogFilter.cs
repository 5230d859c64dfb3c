using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The catalog API's server-side filters. Every filter given must match; a missing filter matches all.
/// <c>labelSelector</c> takes the Kubernetes syntax: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>,
/// <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>, comma-separated.
/// </summary>
internal sealed record CatalogFilter
{
    public string? Protocol { get; init; }
    public string? Team { get; init; }
    public string? Tag { get; init; }
    public string? Lifecycle { get; init; }
    public string? Namespace { get; init; }
    public string? Capability { get; init; }
    public IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> Selector { get; init; } = [];

    /// <summary>Requirements on the whole entry: the AgentType API's namespace and field selectors.</summary>
    public IReadOnlyList<Func<StoredEntry, bool>> Requirements { get; init; } = [];

    public static CatalogFilter All { get; } = new();

    public static bool TryParse(Func<string, string?> query, [NotNullWhen(true)] out CatalogFilter? filter, [NotNullWhen(false)] out string? error)
    {
        filter = null;
        var selectorText = query("labelSelector");
        var selector = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        if (!string.IsNullOrWhiteSpace(selectorText) && !LabelSelector.TryParse(selectorText, selector, out error))
        {
            return false;
        }

        filter = new CatalogFilter
        {
            Protocol = query("protocol"),
            Team = query("team"),
            Tag = query("tag"),
            Lifecycle = query("lifecycle"),
            Namespace = query("namespace"),
            Capability = query("capability"),
            Selector = selector,
        };
        error = null;
        return true;
    }

    public bool Matches(StoredEntry item)
    {
        var entry = item.Entry;
        var labels = item.Labels;
        return Eq(Protocol, entry?.Spec.Protocol.ToWire() ?? labels.GetValueOrDefault(Annotations.ProtocolLabel))
            && Eq(Team, entry?.Spec.Team ?? labels.GetValueOrDefault(Annotations.TeamLabel))
            && Eq(Lifecycle, entry?.Status.Lifecycle.ToString() ?? labels.GetValueOrDefault(Annotations.LifecycleLabel))
            && Eq(Namespace, entry?.Spec.Source.Namespace ?? labels.GetValueOrDefault(Annotations.SourceNamespaceLabel))
            && (Tag is null || entry?.Spec.Tags.Contains(Tag, StringComparer.OrdinalIgnoreCase) == true)
            && (Capability is null || entry?.Status.Capabilities.Any(c => string.Equals(c.Name, Capability, StringComparison.OrdinalIgnoreCase)) == true)
            && Selector.All(requirement => requirement(labels))
            && Requirements.All(requirement => requirement(item));
    }

    /// <summary>
    /// The namespace an entry belongs to as an AgentType: its Service's namespace for an entry discovered
    /// from a Service, else the store's. A push entry is always the store's, whatever source it claims, so
    /// nobody who may write a push entry can place one among another team's agents. A hub's federated
    /// entry is in the namespace its member serves it in (namespace sameness).
    /// </summary>
    public static string ServedNamespace(StoredEntry item, string storeNamespace) =>
        item.Origin is { } origin ? origin.Namespace
        : !item.IsPush && item.Entry?.Spec.Source is { Type: SourceType.Kubernetes, Namespace: { Length: > 0 } ns } ? ns : storeNamespace;

    /// <summary>The AgentType API's field selectors, as Kubernetes writes them: <c>f=v</c>, <c>f==v</c>, <c>f!=v</c>, comma-separated.</summary>
    public static bool TryParseFields(string? text, string storeNamespace, List<Func<StoredEntry, bool>> requirements, [NotNullWhen(false)] out string? error)
    {
        foreach (var raw in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var op = raw.Contains("!=", StringComparison.Ordinal) ? "!=" : raw.Contains("==", StringComparison.Ordinal) ? "==" : "=";
            if (!raw.Contains(op, StringComparison.Ordinal))
            {
                error = $"fieldSelector: '{raw}' is not field=value or field!=value";
                return false;
            }

            var (field, value) = LabelSelector.Split(raw, op);
            Func<StoredEntry, string?>? read = field switch
            {
                "metadata.name" => e => e.Name,
                "metadata.namespace" => e => ServedNamespace(e, storeNamespace),
                "spec.protocol" => e => e.Entry?.Spec.Protocol.ToWire(),
                "status.lifecycle" => e => e.Entry?.Status.Lifecycle.ToString(),
                _ => null,
            };
            if (read is null)
            {
                error = $"field label not supported: {field} (supported: metadata.name, metadata.namespace, spec.protocol, status.lifecycle)";
                return false;
            }

            var negate = op == "!=";
            requirements.Add(e => string.Equals(read(e), value, StringComparison.Ordinal) != negate);
        }

        error = null;
        return true;
    }

    private static bool Eq(string? wanted, string? actual) => wanted is null || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);

}
