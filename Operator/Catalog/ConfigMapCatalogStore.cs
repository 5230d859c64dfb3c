using System.Net;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The catalog as ConfigMaps in one namespace: one per entry (labels for kubectl, the endpoint as an
/// annotation, the AgentType as canonical JSON under <c>agenttype.json</c>), plus the operator's status.
/// Updates and deletes are conditional on the resourceVersion read, so no one's edit is overwritten blind.
/// </summary>
internal sealed class ConfigMapCatalogStore(IKubernetes client, string storeNamespace, bool storeRawCard) : ICatalogStore
{

    /// <summary>A raw card larger than this is not kept: with a 512 KiB entry the ConfigMap stays under 1 MiB.</summary>
    public const int MaxRawCardBytes = 256 * 1024;
    private static readonly string Selector = $"{Annotations.CatalogLabel}={Annotations.CatalogEntryValue}";

    public string Namespace => storeNamespace;

    public async Task<IReadOnlyList<StoredEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<StoredEntry>();
        string? continueToken = null;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync(storeNamespace, labelSelector: Selector, limit: ListPages.Size,
                continueParameter: continueToken, cancellationToken: cancellationToken);
            entries.AddRange(page.Items.Select(Read));
            continueToken = string.IsNullOrEmpty(page.Metadata?.ContinueProperty) ? null : page.Metadata.ContinueProperty;
        }
        while (continueToken is not null);

        return entries;
    }

    public async Task<StoredEntry?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return Read(await client.CoreV1.ReadNamespacedConfigMapAsync(name, storeNamespace, cancellationToken: cancellationToken));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<StoredEntry> CreateAsync(string name, AgentType entry, ReadOnlyMemory<byte>? rawCard, CancellationToken cancellationToken)
    {
        var configMap = Build(name, entry, rawCard);
        try
        {
            return Read(await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, storeNamespace, cancellationToken: cancellationToken));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new CatalogConflictException($"ConfigMap {storeNamespace}/{name} already exists", e);
        }
    }

    /// <summary>
    /// A JSON merge patch of what the operator owns (its labels, the endpoint annotation, its data keys), on
    /// condition of the resourceVersion read: whatever else others put on the ConfigMap stays, without the
    /// operator holding a copy of the object.
    /// </summary>
    public async Task<StoredEntry> UpdateAsync(StoredEntry existing, AgentType entry, ReadOnlyMemory<byte>? rawCard, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(MergePatch(existing, entry, rawCard), V1Patch.PatchType.MergePatch);
        try
        {
            return Read(await client.CoreV1.PatchNamespacedConfigMapAsync(patch, existing.Name, storeNamespace, cancellationToken: cancellationToken));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            throw new CatalogConflictException($"ConfigMap {storeNamespace}/{existing.Name} changed since it was read ({(int)e.Response.StatusCode})", e);
        }
    }

    public async Task DeleteAsync(StoredEntry existing, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedConfigMapAsync(existing.Name, storeNamespace,
                new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = existing.ResourceVersion } },
                cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone: the outcome we wanted.
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new CatalogConflictException($"ConfigMap {storeNamespace}/{existing.Name} changed since it was read", e);
        }
    }

    public async Task WriteStatusAsync(OperatorStatus status, CancellationToken cancellationToken)
    {
        var json = CatalogJson.SerializeStatus(status);
        var labels = new Dictionary<string, string> { [Annotations.ManagedByLabel] = Annotations.ManagedByValue };
        try
        {
            var current = await client.CoreV1.ReadNamespacedConfigMapAsync(CatalogNames.StatusConfigMap, storeNamespace, cancellationToken: cancellationToken);
            current.Data = new Dictionary<string, string> { [CatalogNames.StatusKey] = json };
            current.Metadata.Labels ??= new Dictionary<string, string>();
            current.Metadata.Labels[Annotations.ManagedByLabel] = Annotations.ManagedByValue;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, CatalogNames.StatusConfigMap, storeNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = CatalogNames.StatusConfigMap, NamespaceProperty = storeNamespace, Labels = labels },
                Data = new Dictionary<string, string> { [CatalogNames.StatusKey] = json },
            }, storeNamespace, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// The merge patch of an update: owned labels set or (no longer wanted) removed, the endpoint annotation,
    /// the entry's data; the raw card replaced, removed (not kept, or too large), or left as it is (none fetched).
    /// </summary>
    private string MergePatch(StoredEntry existing, AgentType entry, ReadOnlyMemory<byte>? rawCard)
    {
        var wanted = CatalogNames.Labels(entry);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            w.WriteString("resourceVersion", existing.ResourceVersion);
            w.WriteStartObject("labels");
            foreach (var stale in existing.Labels.Keys.Where(k => CatalogNames.OwnedLabels.Contains(k) && !wanted.ContainsKey(k)))
            {
                w.WriteNull(stale);
            }

            foreach (var (key, value) in wanted)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("annotations");
            w.WriteString(Annotations.Endpoint, entry.Spec.Endpoint);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("data");
            w.WriteString(CatalogNames.EntryKey, CatalogJson.SerializeToString(entry));
            if (!storeRawCard || rawCard is { Length: > MaxRawCardBytes })
            {
                w.WriteNull(CatalogNames.CardKey);
            }
            else if (rawCard is { } raw)
            {
                w.WriteString(CatalogNames.CardKey, Encoding.UTF8.GetString(raw.Span));
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A new ConfigMap with what the operator owns on it.</summary>
    private V1ConfigMap Build(string name, AgentType entry, ReadOnlyMemory<byte>? rawCard)
    {
        var data = new Dictionary<string, string> { [CatalogNames.EntryKey] = CatalogJson.SerializeToString(entry) };
        if (storeRawCard && rawCard is { Length: <= MaxRawCardBytes } raw)
        {
            data[CatalogNames.CardKey] = Encoding.UTF8.GetString(raw.Span);
        }

        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = storeNamespace,
                Labels = new Dictionary<string, string>(CatalogNames.Labels(entry)),
                Annotations = new Dictionary<string, string> { [Annotations.Endpoint] = entry.Spec.Endpoint },
            },
            Data = data,
        };
    }

    /// <summary>
    /// Reads a stored ConfigMap; never throws, whatever its author put in it. What cannot be served is the
    /// entry's <see cref="StoredEntry.Problem"/>, in words of ours: the author's text is never quoted.
    /// </summary>
    internal static StoredEntry Read(V1ConfigMap configMap)
    {
        try
        {
            return ReadChecked(configMap);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever slipped past the checks is still this entry's problem only, never the list's.
            return Unreadable(configMap, $"'{CatalogNames.EntryKey}' cannot be read ({e.GetType().Name})");
        }
    }

    private static StoredEntry ReadChecked(V1ConfigMap configMap)
    {
        var metadata = configMap.Metadata;
        if (metadata?.Name is null)
        {
            return Unreadable(configMap, "it has no name");
        }

        var labels = Pooled(metadata.Labels);
        var isPush = labels.TryGetValue(Annotations.SourceLabel, out var source) && source == SourceType.Push.ToWire();
        var annotationEndpoint = metadata.Annotations?.TryGetValue(Annotations.Endpoint, out var a) == true ? a : null;
        AgentType? entry = null;
        string? problem = null;
        string? json = null;
        if (configMap.Data?.TryGetValue(CatalogNames.EntryKey, out json) != true || string.IsNullOrWhiteSpace(json))
        {
            problem = $"it has no '{CatalogNames.EntryKey}' data";
        }
        else
        {
            try
            {
                entry = CatalogJson.Deserialize(json);
                problem = EntryCheck.Problem(entry);
            }
            catch (JsonException e)
            {
                problem = $"'{CatalogNames.EntryKey}' is not a valid AgentType: {EntryCheck.Describe(e)}";
            }
        }

        var endpointText = entry?.Spec?.Endpoint ?? annotationEndpoint;
        var endpoint = AgentEndpoint.TryNormalize(endpointText, out var normalized, out _) ? normalized : null;
        if (problem is null && endpoint is null)
        {
            problem = "spec.endpoint is not an http(s) URL";
        }

        return new StoredEntry
        {
            Name = metadata.Name,
            Namespace = StringPool.Get(metadata.NamespaceProperty) ?? string.Empty,
            ResourceVersion = metadata.ResourceVersion ?? string.Empty,
            Uid = metadata.Uid,
            IsPush = isPush,
            Endpoint = endpoint,
            Entry = problem is null ? entry : null,
            Json = json,
            Labels = labels,
            Problem = problem,
            AnnotatedEndpoint = annotationEndpoint,
            LeaseAnnotation = isPush && metadata.Annotations?.TryGetValue(Annotations.Lease, out var lease) == true ? lease : null,
            Created = metadata.CreationTimestamp,
        };
    }

    /// <summary>An entry nothing can be served of; built from the metadata alone, which may itself be missing.</summary>
    private static StoredEntry Unreadable(V1ConfigMap? configMap, string problem)
    {
        var metadata = configMap?.Metadata;
        var labels = metadata?.Labels;
        return new StoredEntry
        {
            Name = metadata?.Name ?? string.Empty,
            Namespace = StringPool.Get(metadata?.NamespaceProperty) ?? string.Empty,
            ResourceVersion = metadata?.ResourceVersion ?? string.Empty,
            Uid = metadata?.Uid,
            IsPush = labels?.TryGetValue(Annotations.SourceLabel, out var source) == true && source == SourceType.Push.ToWire(),
            Problem = problem,
            Created = metadata?.CreationTimestamp,
        };
    }

    /// <summary>
    /// The labels with their keys and values pooled (a few distinct ones across the catalog). The API server
    /// allows no null label values, but a ConfigMap is data: skip what no selector could match.
    /// </summary>
    private static ImmutableDictionary<string, string> Pooled(IDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return ImmutableDictionary<string, string>.Empty;
        }

        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            if (value is not null)
            {
                builder[StringPool.Get(key)] = StringPool.Get(value);
            }
        }

        return builder.ToImmutable();
    }
}
