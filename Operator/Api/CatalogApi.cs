using System.Buffers;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Api;

/// <summary>
/// The read-only HTTP catalog API, served by every replica from <see cref="ICatalogView"/>:
/// <c>GET /api/v1/agents</c> (the catalog and its version, filtered), <c>GET /api/v1/agents/{name}</c>, and
/// <c>GET /api/v1/agents/watch</c> — Server-Sent Events: a snapshot (ADDED per entry, then SYNCED), then
/// ADDED / MODIFIED / DELETED as they happen, heartbeats, and resume by Last-Event-ID.
/// </summary>
internal static class CatalogApi
{
    public const string Listener = "api";

    /// <summary>The API's own services; it reads the catalog through <see cref="ICatalogView"/>, which the host provides.</summary>
    public static void AddCatalogApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WireIds>();
        builder.Services.AddSingleton<IApiAuthenticator>(sp => sp.GetRequiredService<ApiOptions>().Auth == "none"
            ? new OpenApiAccess()
            : ActivatorUtilities.CreateInstance<KubernetesApiAccess>(sp));
        builder.Services.AddSingleton<AccessReviews>();
        builder.Services.AddSingleton(sp => new CatalogVisibility(sp.GetRequiredService<AccessReviews>(), sp.GetRequiredService<StoreNamespace>(),
            sp.GetRequiredService<SourceOptions>().Namespaces));
        builder.Services.AddSingleton<ReadApiLogs>();
        // One admission for the watches of both APIs (the SSE stream and the AgentType watch).
        builder.Services.AddSingleton(sp =>
        {
            var admission = new WatchAdmission(sp.GetRequiredService<ApiOptions>().Shares());
            sp.GetRequiredService<Metrics>().ObserveWatchers(() => admission.Open);
            return admission;
        });
    }

    public static void MapCatalogApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/agents").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!Listeners.On(http, Listener))
            {
                return Results.NotFound();
            }

            var denied = await http.RequestServices.GetRequiredService<IApiAuthenticator>().CheckAsync(http, http.RequestAborted);
            return denied ?? await next(context);
        });
        api.MapGet("/", ListAsync);
        api.MapGet("/watch", WatchAsync);
        api.MapGet("/{name}", GetAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, ICatalogView cache, WireIds ids, StoreNamespace store)
    {
        if (await NotSyncedAsync(cache, http.RequestAborted) is { } notSynced)
        {
            return notSynced;
        }

        if (!CatalogFilter.TryParse(q => Query(http, q), out var filter, out var error))
        {
            return Error(400, error);
        }

        filter = Reader(http).Visibility.Narrow(filter, store.Name);
        var (version, items) = cache.Snapshot();
        return Json(w =>
        {
            w.WriteString("version", ids.EventId(version));
            w.WriteStartArray("items");
            foreach (var item in items.Where(filter.Matches))
            {
                CatalogStream.WriteItem(w, item);
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> GetAsync(HttpContext http, ICatalogView cache, StoreNamespace store, string name)
    {
        if (await NotSyncedAsync(cache, http.RequestAborted) is { } notSynced)
        {
            return notSynced;
        }

        // An entry the caller may not see is answered as one that does not exist: its name tells nothing.
        var item = cache.Get(name);
        return item is null || !Reader(http).Visibility.Sees(item, store.Name) ? Error(404, $"no catalog entry named '{name}'") : Results.Bytes(CatalogStream.ItemBytes(item), "application/json");
    }

    private static async Task WatchAsync(HttpContext http, ICatalogView cache, WireIds ids, StoreNamespace store, WatchAdmission watchers, ReadApiLogs logs, ApiOptions api, TimeProvider time, ILoggerFactory loggers)
    {
        if (await NotSyncedAsync(cache, http.RequestAborted) is { } notSynced)
        {
            await notSynced.ExecuteAsync(http);
            return;
        }

        if (!CatalogFilter.TryParse(q => Query(http, q), out var filter, out var error))
        {
            await Error(400, error).ExecuteAsync(http);
            return;
        }

        var reader = Reader(http);
        filter = reader.Visibility.Narrow(filter, store.Name);
        var admission = watchers.TryEnter(reader.User?.Name, reader.Visibility.Namespaces);
        if (admission.Lease is null)
        {
            logs.WatchRefused(admission.Refusal!);
            http.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Error(429, admission.Refusal!).ExecuteAsync(http);
            return;
        }

        using (admission.Lease)
        {
            var lastEventId = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? Query(http, "lastEventId");
            await CatalogStream.StreamAsync(http, cache, ids, lastEventId, filter, api.Heartbeat, time, loggers.CreateLogger("AgentLens.Operator.CatalogApi"), api.WatcherBuffer);
        }
    }

    private static CatalogReader Reader(HttpContext http) => http.Items[CatalogReader.Key] as CatalogReader ?? CatalogReader.Open;

    private static string JsonText(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(CatalogStream.JsonBytes(write));

    private static IResult Json(Action<Utf8JsonWriter> write) => Results.Text(JsonText(write), "application/json", Encoding.UTF8);

    /// <summary>An error as a Kubernetes <c>Status</c> object (plus the <c>error</c> field clients of v1 read).</summary>
    public static IResult Error(int status, string message)
    {
        var body = Results.Text(JsonText(w =>
        {
            w.WriteString("kind", "Status");
            w.WriteString("apiVersion", "v1");
            w.WriteString("status", "Failure");
            w.WriteString("message", message);
            w.WriteString("reason", status switch
            {
                400 => "BadRequest",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                429 => "TooManyRequests",
                503 => "ServiceUnavailable",
                _ => "InternalError",
            });
            w.WriteNumber("code", status);
            w.WriteString("error", message);
        }), "application/json", Encoding.UTF8, status);
        return status == StatusCodes.Status401Unauthorized ? new Unauthorized(body) : body;
    }

    private static async Task<IResult?> NotSyncedAsync(ICatalogView cache, CancellationToken ct) =>
        await cache.WaitSyncedAsync(ct) ? null : Error(503, ICatalogView.NotSyncedMessage);

    private static string? Query(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.FirstOrDefault()) ? values.FirstOrDefault() : null;
}
