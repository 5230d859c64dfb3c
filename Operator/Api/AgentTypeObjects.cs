using System.Text.Json;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api;

/// <summary>
/// How catalog entries look as Kubernetes objects of <c>agentlens.io/v1alpha1</c>: an <c>AgentType</c> is the
/// stored entry's spec and status as stored, under Kubernetes metadata (its namespace is the one
/// <see cref="CatalogFilter.ServedNamespace"/> gives, its resourceVersion the catalog cache's); lists,
/// <c>Table</c>s for kubectl, and <c>Status</c> errors.
/// </summary>
internal static class AgentTypeObjects
{
    public const string Group = "agentlens.io";
    public const string Version = "v1alpha1";
    public const string GroupVersion = Group + "/" + Version;
    public const string Resource = "agenttypes";
    public const string Singular = "agenttype";
    public const string Kind = AgentType.TypeKind;
    public const string ShortName = "agt";
    public const string Category = "agentlens";

    /// <summary>Names the ConfigMap an AgentType is stored in (<c>namespace/name</c>).</summary>
    public const string StoredInAnnotation = Annotations.Prefix + "stored-in";

    /// <summary>On a hub's federated AgentType: the member cluster, namespace and name it was read from.</summary>
    public const string FederatedFromAnnotation = Annotations.Prefix + "federated-from";

    /// <summary>The entry as an AgentType, compact UTF-8 JSON (an entry without a readable AgentType has none).</summary>
    public static byte[] ObjectBytes(StoredEntry item, string resourceVersion, string storeNamespace) =>
        EntryRenders.AgentType(item, resourceVersion, (entry, rv) => Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", GroupVersion);
            w.WriteString("kind", Kind);
            w.WritePropertyName("metadata");
            WriteMetadata(w, entry, rv, storeNamespace);
            using var stored = JsonDocument.Parse(entry.Utf8Json ?? "{}"u8.ToArray());
            foreach (var part in (ReadOnlySpan<string>)["spec", "status"])
            {
                if (stored.RootElement.TryGetProperty(part, out var value))
                {
                    w.WritePropertyName(part);
                    value.WriteTo(w);
                }
            }

            w.WriteEndObject();
        }));

    public static void WriteMetadata(Utf8JsonWriter w, StoredEntry item, string resourceVersion, string storeNamespace)
    {
        w.WriteStartObject();
        w.WriteString("name", item.Name);
        w.WriteString("namespace", CatalogFilter.ServedNamespace(item, storeNamespace));
        if (item.Uid is not null)
        {
            w.WriteString("uid", item.Uid);
        }

        w.WriteString("resourceVersion", resourceVersion);
        if (item.Created is { } created)
        {
            w.WriteString("creationTimestamp", Timestamp(created));
        }

        w.WriteStartObject("labels");
        foreach (var (key, value) in item.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        w.WriteStartObject("annotations");
        if (item.Origin is { } origin)
        {
            w.WriteString(FederatedFromAnnotation, $"{origin.Cluster}/{origin.Namespace}/{origin.Name}");
        }
        else
        {
            w.WriteString(StoredInAnnotation, $"{item.Namespace}/{item.Name}");
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>An <c>AgentTypeList</c> of entries, each at the version it was published.</summary>
    public static byte[] ListBytes(IEnumerable<(StoredEntry Item, string ResourceVersion)> items, string listVersion, string storeNamespace) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("apiVersion", GroupVersion);
        w.WriteString("kind", Kind + "List");
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", listVersion);
        w.WriteEndObject();
        w.WriteStartArray("items");
        foreach (var (item, rv) in items)
        {
            w.WriteRawValue(ObjectBytes(item, rv, storeNamespace), skipInputValidation: true);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>What a Table's rows carry besides their cells (<c>includeObject</c>).</summary>
    internal enum RowObject
    {
        None,
        Metadata,
        Object,
    }

    /// <summary>A <c>meta.k8s.io/v1</c> Table, as kubectl asks for it; columns of priority 1 are <c>-o wide</c>.</summary>
    public static byte[] TableBytes(IEnumerable<(StoredEntry Item, string ResourceVersion)> rows, string listVersion, string storeNamespace, RowObject include, bool withColumns, DateTimeOffset now) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "Table");
        w.WriteString("apiVersion", "meta.k8s.io/v1");
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", listVersion);
        w.WriteEndObject();
        w.WriteStartArray("columnDefinitions");
        foreach (var (name, type, format, priority, description) in withColumns ? Columns : [])
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("type", type);
            w.WriteString("format", format);
            w.WriteString("description", description);
            w.WriteNumber("priority", priority);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var (item, rv) in rows)
        {
            w.WriteStartObject();
            w.WriteStartArray("cells");
            foreach (var cell in Cells(item, now))
            {
                w.WriteStringValue(cell);
            }

            w.WriteEndArray();
            switch (include)
            {
                case RowObject.Metadata:
                    w.WriteStartObject("object");
                    w.WriteString("kind", "PartialObjectMetadata");
                    w.WriteString("apiVersion", "meta.k8s.io/v1");
                    w.WritePropertyName("metadata");
                    WriteMetadata(w, item, rv, storeNamespace);
                    w.WriteEndObject();
                    break;
                case RowObject.Object:
                    w.WritePropertyName("object");
                    w.WriteRawValue(ObjectBytes(item, rv, storeNamespace), skipInputValidation: true);
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static readonly (string Name, string Type, string Format, int Priority, string Description)[] Columns =
    [
        ("Name", "string", "name", 0, "Name of the catalog entry (the ConfigMap that stores it)."),
        ("Protocol", "string", string.Empty, 0, "a2a or mcp."),
        ("Lifecycle", "string", string.Empty, 0, "Registered, Active, Degraded or Offline."),
        ("Capabilities", "string", string.Empty, 0, "How many skills (A2A) or tools (MCP) the agent offers; '? tools' when an MCP server could not be asked (not known, unlike '0 tools')."),
        ("Version", "string", string.Empty, 0, "The agent's version, as its card gives it."),
        ("Team", "string", string.Empty, 0, "The team that announced the agent."),
        ("Age", "string", string.Empty, 0, "Time since the entry was created."),
        ("Endpoint", "string", string.Empty, 1, "The agent's endpoint: the entry's identity."),
        ("Source", "string", string.Empty, 1, "Where the agent was found: kubernetes (namespace/Service), static or push."),
        ("Signed", "string", string.Empty, 1, "A2A: verified, unverified or unsigned (the card's signatures against the trust roots)."),
        ("Authorization", "string", string.Empty, 1, "MCP: required (and by whom) when the server wants a token; A2A: the schemes the card requires, alternatives separated by |."),
        ("Cluster", "string", string.Empty, 1, "The cluster the agent runs in (status.cluster)."),
    ];

    private static IEnumerable<string> Cells(StoredEntry item, DateTimeOffset now)
    {
        var entry = item.Entry;
        yield return item.Name;
        yield return entry?.Spec.Protocol.ToWire() ?? string.Empty;
        yield return entry?.Status.Lifecycle.ToString() ?? string.Empty;
        yield return entry is null ? string.Empty : CapabilitySummary(entry);
        yield return entry?.Status.Version ?? string.Empty;
        yield return entry?.Spec.Team ?? string.Empty;
        yield return item.Created is { } created ? Age(now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc))) : "<unknown>";
        yield return entry?.Spec.Endpoint ?? item.Endpoint ?? string.Empty;
        yield return entry?.Spec.Source switch
        {
            { Type: SourceType.Kubernetes } s => $"kubernetes:{s.Namespace}/{s.Name}",
            { } s => $"{s.Type.ToWire()}:{s.Name}",
            null => string.Empty,
        };
        yield return entry is null ? string.Empty : CatalogNames.Signed(entry) ?? string.Empty;
        yield return AuthorizationSummary(entry?.Status.Authorization);
        yield return entry?.Status.Cluster ?? item.Labels.GetValueOrDefault(Annotations.ClusterLabel) ?? string.Empty;
    }

    /// <summary><c>required (auth.example.com)</c>, <c>oauth | apiKey+mtls</c> or nothing: what a reader needs to call the agent.</summary>
    public static string AuthorizationSummary(AgentAuthorization? authorization)
    {
        if (authorization is null)
        {
            return string.Empty;
        }

        if (authorization.Required)
        {
            // A push entry is written by hand: a server that is not a URL is left out, not a failure.
            var server = !authorization.AuthorizationServers.IsDefaultOrEmpty && Uri.TryCreate(authorization.AuthorizationServers[0], UriKind.Absolute, out var uri)
                && uri.Scheme is "https" or "http" && uri.Authority.Length > 0 ? uri.Authority : null;
            return server is null ? "required" : $"required ({server})";
        }

        var alternatives = authorization.Requirements.IsDefaultOrEmpty ? [] : authorization.Requirements.Where(r => r is not null)
            .Select(r => string.Join('+', r.Schemes.IsDefault ? [] : r.Schemes)).ToArray();
        var text = string.Join(" | ", alternatives);
        return text.Length <= 64 ? text : text[..63] + "…";
    }

    /// <summary><c>3 skills</c>, <c>5 tools, 2 prompts</c>: what an agent offers, counted by kind.</summary>
    public static string CapabilitySummary(AgentType entry)
    {
        var capabilities = entry.Status.Capabilities.IsDefault ? [] : entry.Status.Capabilities;
        (string Kind, string One, string Many)[] kinds = entry.Spec.Protocol == Protocol.Mcp
            ? [(CapabilityKinds.McpTool, "tool", "tools"), (CapabilityKinds.McpResource, "resource", "resources"), (CapabilityKinds.McpPrompt, "prompt", "prompts"), (CapabilityKinds.McpSkill, "skill", "skills")]
            : [(CapabilityKinds.A2aSkill, "skill", "skills")];
        var unknown = !CapabilitiesKnown(entry);
        var parts = kinds.Select((k, i) => (k, Count: capabilities.Count(c => c.Kind == k.Kind), First: i == 0))
            .Where(p => p.First || p.Count > 0)
            .Select(p => p.First && p.Count == 0 && unknown ? $"? {p.k.Many}" : $"{p.Count} {(p.Count == 1 ? p.k.One : p.k.Many)}");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// Whether the entry's capabilities are known: an MCP server that could not be asked (<c>CapabilitiesListed=False</c>)
    /// and whose card listed no tools has tools nobody knows of — "not known", never "none".
    /// </summary>
    public static bool CapabilitiesKnown(AgentType entry) =>
        entry.Spec.Protocol != Protocol.Mcp || entry.Status.Conditions.IsDefault
        || !entry.Status.Conditions.Any(c => c is { Type: ConditionTypes.CapabilitiesListed, Status: ConditionStatus.False })
        || (!entry.Status.Capabilities.IsDefault && entry.Status.Capabilities.Any(c => c.Kind == CapabilityKinds.McpTool));

    /// <summary>An age as kubectl prints one: 45s, 3m12s, 17m, 5h3m, 3d, 2y40d.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        var s = (long)age.TotalSeconds;
        return s switch
        {
            < 120 => $"{s}s",
            < 600 => $"{s / 60}m{(s % 60 == 0 ? string.Empty : $"{s % 60}s")}",
            < 3 * 3600 => $"{s / 60}m",
            < 8 * 3600 => $"{s / 3600}h{(s / 60 % 60 == 0 ? string.Empty : $"{s / 60 % 60}m")}",
            < 48 * 3600 => $"{s / 3600}h",
            < 8 * 86400 => $"{s / 86400}d{(s / 3600 % 24 == 0 ? string.Empty : $"{s / 3600 % 24}h")}",
            < 2 * 365 * 86400 => $"{s / 86400}d",
            _ => $"{s / (365 * 86400)}y{s / 86400 % 365}d",
        };
    }

    /// <summary>A <c>Status</c> failure, as every Kubernetes API answers errors.</summary>
    public static byte[] StatusBytes(int code, string reason, string message, string? name = null) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "Status");
        w.WriteString("apiVersion", "v1");
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteString("status", "Failure");
        w.WriteString("message", message);
        w.WriteString("reason", reason);
        w.WriteStartObject("details");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        w.WriteString("group", Group);
        w.WriteString("kind", Resource);
        w.WriteEndObject();
        w.WriteNumber("code", code);
        w.WriteEndObject();
    });

    public static IResult Status(int code, string reason, string message, string? name = null) => new JsonBytes(StatusBytes(code, reason, message, name), code);

    /// <summary>Bytes already rendered as JSON, with a status code.</summary>
    internal sealed class JsonBytes(byte[] body, int statusCode = 200) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }

    public static string Timestamp(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static byte[] Json(Action<Utf8JsonWriter> write) => EntryRenders.Json(write);
}
