using System.Text;
using System.Text.RegularExpressions;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// Catalog entries as registry servers, inside the spec's limits whatever the cards say. The naming rule
/// (docs/registry.md): an entry is named by its card when the card's own <c>name</c> (not its title) already is a registry name
/// (<c>reverse-dns/name</c>, 3–200 characters), no other MCP entry of the catalog claims the same one, and it
/// does not sit under the derived prefix; every other entry gets <c>io.agentlens.{cluster}/{namespace}.{entry}</c>,
/// unique because the entry name is unique in the catalog. Uniqueness is judged over the whole catalog, not per
/// reader, so a name never depends on who asks.
/// </summary>
internal static partial class RegistryProjection
{
    public const int MaxDescription = 100;
    public const int MaxTitle = 100;
    public const int MaxName = 200;
    public const string DefaultVersion = "0.0.0";

    private static readonly HashSet<string> MimeTypes = new(["image/png", "image/jpeg", "image/jpg", "image/svg+xml", "image/webp"], StringComparer.Ordinal);

    [GeneratedRegex("^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$")]
    private static partial Regex NamePattern();

    /// <summary>The servers of the MCP entries among <paramref name="items"/>, by entry name; times are filled by <see cref="RegistryView"/>.</summary>
    public static Dictionary<string, RegistryServer> Project(IEnumerable<StoredEntry> items, string storeNamespace, RegistryOptions options, IReadOnlyDictionary<string, Uri> baseUrls, DateTimeOffset now)
    {
        var mcp = items.Where(i => i.Entry is { Spec.Protocol: Protocol.Mcp }).ToList();
        var prefix = DerivedPrefix(options.ClusterName);
        var claims = mcp.Select(i => CardName(i.Entry!, prefix)).OfType<string>()
            .GroupBy(n => n, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var servers = new Dictionary<string, RegistryServer>(StringComparer.Ordinal);
        foreach (var item in mcp)
        {
            var entry = item.Entry!;
            var ns = CatalogFilter.ServedNamespace(item, storeNamespace);
            var card = CardName(entry, prefix);
            var name = card is not null && claims[card] == 1 ? card : Derived(prefix, ns, item.Name);
            servers[item.Name] = Server(item, entry, ns, name, baseUrls, now);
        }

        return servers;
    }

    public static string DerivedPrefix(string clusterName) => $"io.agentlens.{clusterName}/";

    private static RegistryServer Server(StoredEntry item, AgentType entry, string ns, string name, IReadOnlyDictionary<string, Uri> baseUrls, DateTimeOffset now)
    {
        var status = entry.Status;
        var title = Cut(Clean(status.DisplayName) is { Length: > 0 } shown ? shown : item.Name, MaxTitle);
        var description = Clean(status.Description) is { Length: > 0 } said ? said : $"MCP server {title}";
        var repository = status.Provider?.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var repo) && repo.Scheme is "https" or "http" ? repo : null;
        var conditions = status.Conditions.IsDefault ? [] : status.Conditions;
        return new RegistryServer
        {
            EntryName = item.Name,
            Namespace = ns,
            Name = name,
            Title = title,
            Description = Cut(description, MaxDescription),
            Version = Clean(status.Version) is { Length: > 0 and <= 255 } v && v != "latest" ? v : DefaultVersion,
            RemoteType = Uri.TryCreate(entry.Spec.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.AbsolutePath.EndsWith("/sse", StringComparison.Ordinal) ? "sse" : "streamable-http",
            RemoteUrl = RemoteUrl(entry.Spec.Endpoint, ns, baseUrls),
            RepositoryUrl = repository?.AbsoluteUri,
            RepositorySource = repository is null ? null : Forge(repository.Host) ?? repository.Host.ToLowerInvariant(),
            WebsiteUrl = CardUrls.Http(status.WebsiteUrl),
            // The schema admits a few media types and themes only: an icon keeps what fits and drops the rest.
            Icons = [.. (status.Icons.IsDefault ? [] : status.Icons)
                .Where(i => CardUrls.Http(i.Src) is not null)
                .Select(i => new Icon(i.Src, MimeTypes.Contains(i.MimeType ?? "") ? i.MimeType : null, i.Theme is "light" or "dark" ? i.Theme : null))],
            Status = status.Lifecycle switch
            {
                Lifecycle.Offline => RegistryStatus.Deleted,
                Lifecycle.Degraded => RegistryStatus.Deprecated,
                _ => RegistryStatus.Active,
            },
            Lifecycle = status.Lifecycle,
            ToolCount = !AgentTypeObjects.CapabilitiesKnown(entry) ? null : status.Capabilities.IsDefault ? 0 : status.Capabilities.Count(c => c.Kind == CapabilityKinds.McpTool),
            Authorization = AccessSummary.Of(entry),
            Signature = conditions.FirstOrDefault(c => c.Type == ConditionTypes.SignatureVerified)?.Reason,
            // The entry was created when it was first discovered; a hand-written entry may have no conditions.
            PublishedAt = conditions.FirstOrDefault(c => c.Type == ConditionTypes.Discovered)?.LastTransitionTime
                ?? (conditions.Length > 0 ? conditions.Min(c => c.LastTransitionTime) : now),
        };
    }

    /// <summary>When the entry last changed as far as the entry itself tells: its latest condition transition or going Offline.</summary>
    public static DateTimeOffset? LastTold(StoredEntry item)
    {
        var status = item.Entry?.Status;
        var times = (status?.Conditions.IsDefault ?? true ? [] : status.Conditions.Select(c => c.LastTransitionTime)).ToList();
        if (status?.OfflineSince is { } offline)
        {
            times.Add(offline);
        }

        return times.Count > 0 ? times.Max() : null;
    }

    private static string? CardName(AgentType entry, string prefix)
    {
        // Entries stored before the card's name was kept apart have only their display name until the card is read again.
        var name = (entry.Status.RegistryName ?? entry.Status.DisplayName)?.Trim();
        return name is { Length: >= 3 and <= MaxName } && NamePattern().IsMatch(name) && !name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name : null;
    }

    private static string Derived(string prefix, string ns, string entryName)
    {
        var name = prefix + ns + "." + entryName;
        // Kubernetes names keep this within 200 (63 + 253 could pass it): cut, keeping it unique by a digest of the whole.
        return name.Length <= MaxName ? name : name[..(MaxName - 9)] + "-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
    }

    private static string RemoteUrl(string endpoint, string ns, IReadOnlyDictionary<string, Uri> baseUrls)
    {
        if (!baseUrls.TryGetValue(ns, out var baseUrl) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var url))
        {
            return endpoint;
        }

        return baseUrl.AbsoluteUri.TrimEnd('/') + url.PathAndQuery;
    }

    private static string? Forge(string host) => host.ToLowerInvariant() switch
    {
        "github.com" or "www.github.com" => "github",
        "gitlab.com" or "www.gitlab.com" => "gitlab",
        _ => null,
    };

    /// <summary>Text without control characters and runs of whitespace (cards are free text).</summary>
    private static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var blank = char.IsWhiteSpace(c) || char.IsControl(c);
            if (!blank)
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != ' ')
            {
                sb.Append(' ');
            }
        }

        return sb.ToString().Trim();
    }

    /// <summary>At most <paramref name="max"/> UTF-16 units (so as many code points or fewer), cut at a word boundary with an ellipsis.</summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var room = max - 1;
        var cut = text.LastIndexOf(' ', room);
        var end = cut > room / 2 ? cut : room;
        // Never split a surrogate pair.
        if (char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end].TrimEnd() + "…";
    }
}
