using System.Buffers;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Hosting;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Api;

/// <summary>
/// The read-only HTTP catalog API, served by every replica from <see cref="CatalogCache"/>:
/// <c>GET /api/v1/agents</c> (the catalog and its version, filtered), <c>GET /api/v1/agents/{name}</c>, and
/// <c>GET /api/v1/agents/watch</c> — Server-Sent Events: a snapshot (ADDED per entry, then SYNCED), then
/// ADDED / MODIFIED / DELETED as they happen, heartbeats, and resume by Last-Event-ID.
/// </summary>
internal static class CatalogApi
{
    public const string Listener = "api";

    public static void AddCatalogApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AgentLeases>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentLeases>());
        builder.Services.AddSingleton(sp =>
        {
            var cache = ActivatorUtilities.CreateInstance<CatalogCache>(sp);
            sp.GetRequiredService<Metrics>().ObservePushLiveness(cache.PushLiveness);
            return cache;
        });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogCache>());
        builder.Services.AddSingleton<ICatalogReader>(sp => sp.GetRequiredService<CatalogCache>());
        builder.Services.AddSingleton<IApiAuthenticator>(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Api.Auth == "none"
            ? new OpenApiAccess()
            : ActivatorUtilities.CreateInstance<KubernetesApiAccess>(sp));
        builder.Services.AddSingleton<AccessReviews>();
        builder.Services.AddSingleton(sp =>
        {
            var count = new WatcherCount();
            sp.GetRequiredService<Metrics>().ObserveWatchers(() => count.Open);
            return count;
        });
    }

    public static void MapCatalogApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/agents").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!OperatorEndpoints.On(http, Listener))
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

    private static async Task<IResult> ListAsync(HttpContext http, CatalogCache cache)
    {
        if (await NotSyncedAsync(cache, http.RequestAborted) is { } notSynced)
        {
            return notSynced;
        }

        if (!CatalogFilter.TryParse(q => Query(http, q), out var filter, out var error))
        {
            return Error(400, error);
        }

        var (version, items) = cache.Snapshot();
        return Json(w =>
        {
            w.WriteString("version", cache.Id(version));
            w.WriteStartArray("items");
            foreach (var item in items.Where(filter.Matches))
            {
                CatalogStream.WriteItem(w, item);
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> GetAsync(HttpContext http, CatalogCache cache, string name)
    {
        if (await NotSyncedAsync(cache, http.RequestAborted) is { } notSynced)
        {
            return notSynced;
        }

        var item = cache.Get(name);
        return item is null ? Error(404, $"no catalog entry named '{name}'") : Results.Bytes(CatalogStream.ItemBytes(item), "application/json");
    }

    private static async Task WatchAsync(HttpContext http, CatalogCache cache, WatcherCount watchers, IOptions<OperatorOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var api = options.Value.Api;
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

        if (!watchers.TryEnter(api.MaxWatchers))
        {
            await Error(503, $"the watcher limit ({api.MaxWatchers}) is reached; retry later").ExecuteAsync(http);
            return;
        }

        try
        {
            var lastEventId = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? Query(http, "lastEventId");
            var start = cache.Subscribe(lastEventId);
            using var subscriber = start.Subscriber;
            await CatalogStream.StreamAsync(http, cache, subscriber, start, filter, api.Heartbeat, time, loggers.CreateLogger("AgentLens.Operator.CatalogApi"), api.WatcherBuffer);
        }
        finally
        {
            watchers.Exit();
        }
    }

    private static string JsonText(Action<Utf8JsonWriter> write) => Encoding.UTF8.GetString(CatalogStream.JsonBytes(write));

    private static IResult Json(Action<Utf8JsonWriter> write) => Results.Text(JsonText(write), "application/json", Encoding.UTF8);

    /// <summary>An error as a Kubernetes <c>Status</c> object (plus the <c>error</c> field clients of v1 read).</summary>
    public static IResult Error(int status, string message) => Results.Text(
        JsonText(w =>
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
                503 => "ServiceUnavailable",
                _ => "InternalError",
            });
            w.WriteNumber("code", status);
            w.WriteString("error", message);
        }), "application/json", Encoding.UTF8, status);

    private static async Task<IResult?> NotSyncedAsync(CatalogCache cache, CancellationToken ct) =>
        await cache.WaitSyncedAsync(ct) ? null : Error(503, CatalogCache.NotSyncedMessage);

    private static string? Query(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.FirstOrDefault()) ? values.FirstOrDefault() : null;
}

/// <summary>Counts open watch streams against the cap.</summary>
internal sealed class WatcherCount
{
    private int open;

    public int Open => Volatile.Read(ref open);

    public bool TryEnter(int max)
    {
        if (Interlocked.Increment(ref open) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref open);
}

/// <summary>Decides whether a caller may read the catalog; null means yes, else the error to answer.</summary>
internal interface IApiAuthenticator
{
    Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken);
}

internal sealed class OpenApiAccess : IApiAuthenticator
{
    public Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken) => Task.FromResult<IResult?>(null);
}

/// <summary>
/// The same people who could read the catalog with kubectl: a bearer token the API server accepts
/// (TokenReview) whose user may list ConfigMaps in the store namespace (SubjectAccessReview), both through
/// <see cref="AccessReviews"/>, which remembers them briefly.
/// </summary>
internal sealed class KubernetesApiAccess(AccessReviews reviews, StoreNamespace storeNamespace, ILogger<KubernetesApiAccess> logger) : IApiAuthenticator
{
    public async Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return CatalogApi.Error(401, "a Kubernetes bearer token is required in the Authorization header");
        }

        try
        {
            var (user, error) = await reviews.ReviewTokenAsync(header[7..].Trim(), cancellationToken);
            if (user is null)
            {
                return CatalogApi.Error(401, error!);
            }

            var (allowed, _) = await reviews.AuthorizeAsync(user, new ResourceAccess(string.Empty, "configmaps", "list", storeNamespace.Name), cancellationToken);
            return allowed ? null : CatalogApi.Error(403, $"{user.Name} may not list configmaps in namespace {storeNamespace.Name}, so may not read the catalog");
        }
        catch (Exception e) when (AccessReviews.IsUnavailable(e, cancellationToken))
        {
            // Not a decision: nothing is remembered, and the client is told to come back.
            Log.ReviewUnavailable(logger, e.Message);
            http.Response.Headers.RetryAfter = "5";
            return CatalogApi.Error(503, "the Kubernetes API server is unreachable, so the request cannot be authenticated; retry later");
        }
    }
}
