using System.Text.Json;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// The catalog as an AI Catalog (Agent-Card/ai-catalog v0.9): <c>/.well-known/ai-catalog.json</c> and the
/// same bytes at <c>/.well-known/ard.json</c>, one entry per A2A agent and MCP server the caller may see
/// (the registry's rules: <see cref="RegistryAccess"/>), Offline ones left out. As an aggregator we mint no
/// <c>urn:air</c> identifiers (the spec keeps those for publishers): an MCP entry is named as in the registry,
/// an A2A one by the derived rule; where it came from is in the <c>io.agentlens/catalog</c> extension.
/// </summary>
internal static class AiCatalogApi
{
    public const string MediaType = "application/ai-catalog+json";
    public const string SpecVersion = "0.9";
    public const string A2aCardType = "application/a2a-agent-card+json";
    public const string McpCardType = "application/mcp-server-card+json";

    public static async Task ServeAsync(HttpContext http)
    {
        if (RegistryApi.Cors(http))
        {
            return;
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            await RegistryApi.Error(405, $"{http.Request.Method} is not allowed here; the catalog is read-only (GET)").ExecuteAsync(http);
            return;
        }

        var services = http.RequestServices;
        var view = services.GetRequiredService<RegistryView>();
        if (!await view.WaitReadyAsync(http.RequestAborted))
        {
            await RegistryApi.Error(503, ICatalogView.NotSyncedMessage).ExecuteAsync(http);
            return;
        }

        var (seen, denied) = await services.GetRequiredService<RegistryAccess>().ResolveAsync(http, http.RequestAborted);
        if (denied is not null)
        {
            await denied.ExecuteAsync(http);
            return;
        }

        var body = Render(services.GetRequiredService<ICatalogView>().Snapshot().Items, view.Current, seen!, services.GetRequiredService<StoreNamespace>().Name,
            services.GetRequiredService<RegistryOptions>().ClusterName, services.GetRequiredService<TimeProvider>().GetUtcNow());
        http.Response.ContentType = MediaType;
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    internal static byte[] Render(IReadOnlyList<StoredEntry> items, RegistrySnapshot registry, Visibility seen, string storeNamespace, string clusterName, DateTimeOffset now)
    {
        var servers = registry.Servers.Where(s => s.Status != RegistryStatus.Deleted).ToDictionary(s => s.EntryName, StringComparer.Ordinal);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, RegistryJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("specVersion", SpecVersion);
            w.WriteStartObject("host");
            w.WriteString("displayName", $"AgentLens catalog of {clusterName}");
            w.WriteEndObject();
            w.WriteStartArray("entries");
            foreach (var item in items)
            {
                var ns = CatalogFilter.ServedNamespace(item, storeNamespace);
                if (item.Entry is not { } entry || entry.Status.Lifecycle == Lifecycle.Offline || (seen.Namespaces is not null && !seen.Namespaces.Contains(ns))
                    || entry.Spec.Protocol is not (Protocol.A2a or Protocol.Mcp))
                {
                    continue;
                }

                var server = entry.Spec.Protocol == Protocol.Mcp ? servers.GetValueOrDefault(item.Name) : null;
                if (entry.Spec.Protocol == Protocol.Mcp && server is null)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("identifier", server?.Name ?? $"{RegistryProjection.DerivedPrefix(clusterName)}{ns}.{item.Name}");
                w.WriteString("type", server is null ? A2aCardType : McpCardType);
                if (server is not null && entry.Spec.CardUrl is null)
                {
                    // No card to point at (the server was introspected): the registry's server.json, inline.
                    using var doc = JsonDocument.Parse(server.Json);
                    w.WritePropertyName("data");
                    doc.RootElement.GetProperty("server").WriteTo(w);
                }
                else
                {
                    w.WriteString("url", entry.Spec.CardUrl ?? entry.Spec.Endpoint + WellKnownPaths.A2aCard);
                }

                w.WriteStartArray("tags");
                foreach (var tag in entry.Spec.Tags.IsDefault ? [] : entry.Spec.Tags)
                {
                    w.WriteStringValue(tag);
                }

                w.WriteEndArray();
                w.WriteString("updatedAt", RegistryJson.Time(server?.UpdatedAt ?? RegistryProjection.LastTold(item) ?? now));
                w.WriteStartObject("extensions");
                w.WriteStartObject(RegistryJson.OwnKey);
                w.WriteString("namespace", ns);
                w.WriteString("entry", item.Name);
                w.WriteString("source", entry.Spec.Source.Type.ToWire());
                w.WriteString("lifecycle", entry.Status.Lifecycle.ToString());
                if (AccessSummary.Of(entry) is { } access)
                {
                    w.WritePropertyName("authorization");
                    access.WriteTo(w);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }
}
