using System.Text;
using System.Text.Json;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Ui;

/// <summary>
/// <c>GET /api/v1/status</c> on the catalog API's listener, with its authentication: who the caller is, the
/// catalog as they see it (version, entries by lifecycle and protocol), and the last cycle as the leader
/// stored it (time, duration, result, counts, each source's state) — or why that cannot be shown. Counts
/// and messages are the whole cluster's: only a reader who may list agenttypes in every namespace gets them.
/// </summary>
internal static class OperatorStatusApi
{
    public static void MapOperatorStatus(this WebApplication app) => app.MapGet("/api/v1/status", StatusAsync).AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (!Listeners.On(http, CatalogApi.Listener))
        {
            return Results.NotFound();
        }

        var denied = await http.RequestServices.GetRequiredService<IApiAuthenticator>().CheckAsync(http, http.RequestAborted);
        return denied ?? await next(context);
    });

    private static async Task<IResult> StatusAsync(HttpContext http, ICatalogView cache, IOperatorStatusView status, WireIds ids, StoreNamespace store)
    {
        if (!await cache.WaitSyncedAsync(http.RequestAborted))
        {
            return CatalogApi.Error(503, ICatalogView.NotSyncedMessage);
        }

        var reader = http.Items[CatalogReader.Key] as CatalogReader ?? CatalogReader.Open;
        var (version, items) = cache.Snapshot();
        var seen = items.Where(i => reader.Visibility.Sees(i, store.Name)).ToList();
        var (json, problem) = await status.ReadAsync(http.RequestAborted);
        var body = CatalogStream.JsonBytes(w =>
        {
            w.WriteString("user", reader.User?.Name);
            w.WriteStartObject("catalog");
            w.WriteString("version", ids.EventId(version));
            w.WriteNumber("entries", seen.Count);
            Counts(w, "lifecycles", seen.Select(i => i.Entry?.Status.Lifecycle.ToString() ?? "Invalid"));
            Counts(w, "protocols", seen.Select(i => i.Entry?.Spec.Protocol.ToWire() ?? "unknown"));
            w.WriteEndObject();
            if (json is not null)
            {
                w.WritePropertyName("operator");
                using var doc = JsonDocument.Parse(json);
                if (reader.Visibility.IsClusterWide)
                {
                    doc.RootElement.WriteTo(w);
                }
                else
                {
                    WriteForNamespaceReader(w, doc.RootElement);
                }
            }
            else
            {
                w.WriteNull("operator");
                w.WriteString("problem", problem);
            }
        });
        return Results.Text(Encoding.UTF8.GetString(body), "application/json", Encoding.UTF8);
    }

    /// <summary>
    /// A reader of some namespaces sees when and how the last cycle went and which sources failed, not the
    /// cluster-wide counts, agents per source or failure messages (they may name namespaces the reader may not see).
    /// </summary>
    private static void WriteForNamespaceReader(Utf8JsonWriter w, JsonElement status)
    {
        w.WriteStartObject();
        foreach (var name in (string[])["lastCycleTime", "lastCycleSeconds", "result", "lastSuccessTime"])
        {
            if (status.TryGetProperty(name, out var value))
            {
                w.WritePropertyName(name);
                value.WriteTo(w);
            }
        }

        w.WriteStartArray("sources");
        if (status.TryGetProperty("sources", out var sources) && sources.ValueKind == JsonValueKind.Array)
        {
            foreach (var source in sources.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
            {
                w.WriteStartObject();
                w.WriteString("name", source.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null);
                w.WriteBoolean("succeeded", source.TryGetProperty("succeeded", out var ok) && ok.ValueKind == JsonValueKind.True);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteBoolean("partial", true);
        w.WriteEndObject();
    }

    private static void Counts(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartObject(name);
        foreach (var group in values.GroupBy(v => v, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(group.Key, group.Count());
        }

        w.WriteEndObject();
    }
}
