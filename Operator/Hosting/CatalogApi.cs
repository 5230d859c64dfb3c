using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Catalog;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

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
        builder.Services.AddSingleton<IApiAuthenticator>(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Api.Auth == "none"
            ? new OpenApiAccess()
            : new KubernetesApiAccess(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<StoreNamespace>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<KubernetesApiAccess>>()));
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
                WriteItem(w, item);
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
        return item is null ? Error(404, $"no catalog entry named '{name}'") : Results.Bytes(ItemBytes(item), "application/json");
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
            await StreamAsync(http, cache, subscriber, start, filter, api.Heartbeat, time, loggers.CreateLogger("AgentLens.Operator.CatalogApi"), api.WatcherBuffer);
        }
        finally
        {
            watchers.Exit();
        }
    }

    private static async Task StreamAsync(HttpContext http, CatalogCache cache, Subscriber subscriber, Subscription start, CatalogFilter filter, TimeSpan heartbeat, TimeProvider time, ILogger logger, int buffer)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, subscriber.Overflowed);
        var ct = cut.Token;
        // Kestrel holds at most its response buffer (64 KiB) per connection and aborts a client that stops
        // reading (MinResponseDataRate): nothing here buffers on a slow client's behalf.
        var body = http.Response.BodyWriter;
        try
        {
            // The status line first: a client learns it is connected before the snapshot is written.
            await http.Response.StartAsync(ct);
            if (start.Resynced)
            {
                WriteEvent(body, "RESYNC", null, JsonBytes(w => w.WriteString("reason", "the history no longer reaches back to Last-Event-ID")));
            }

            if (start.Snapshot is { } snapshot)
            {
                // Snapshot events carry no id: a client cut off mid-snapshot resumes with a fresh one. Each
                // entry's JSON is rendered once and shared by every watcher.
                var startId = cache.Id(start.Version);
                for (var next = 0; next < snapshot.Length;)
                {
                    // A chunk at a time, a few watchers at a time: a burst of snapshots never fills the
                    // thread pool's queue, so probes and /metrics are answered in between. The gate is
                    // never held across a flush, so a client that does not read holds nobody up.
                    await SnapshotGate.WaitAsync(ct);
                    try
                    {
                        for (; next < snapshot.Length && body.UnflushedBytes < FlushBytes; next++)
                        {
                            if (filter.Matches(snapshot[next]))
                            {
                                body.Write(SnapshotEventBytes(snapshot[next], start.Version, startId));
                            }
                        }
                    }
                    finally
                    {
                        SnapshotGate.Release();
                    }

                    await body.FlushAsync(ct);
                }

                WriteEvent(body, "SYNCED", startId, JsonBytes(w => w.WriteNumber("version", start.Version)));
            }

            foreach (var e in start.Replay)
            {
                WriteChange(body, cache, e, filter);
            }

            await body.FlushAsync(ct);
            var reader = subscriber.Events;
            using var ticker = new PeriodicTimer(heartbeat, time);
            var tick = ticker.WaitForNextTickAsync(ct).AsTask();
            var read = reader.WaitToReadAsync(ct).AsTask();
            while (true)
            {
                var done = await Task.WhenAny(read, tick);
                if (done == tick)
                {
                    await tick;
                    body.Write(Encoding.UTF8.GetBytes($": heartbeat {time.GetUtcNow():O}\n\n"));
                    await body.FlushAsync(ct);
                    tick = ticker.WaitForNextTickAsync(ct).AsTask();
                    continue;
                }

                if (!await read)
                {
                    break;
                }

                while (reader.TryRead(out var e))
                {
                    if (e.Version > start.Version)
                    {
                        WriteChange(body, cache, e, filter);
                    }
                }

                await body.FlushAsync(ct);
                read = reader.WaitToReadAsync(ct).AsTask();
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, or fell behind and is cut off below.
        }

        if (subscriber.Overflowed.IsCancellationRequested)
        {
            Log.WatcherOverflowed(logger, buffer);
            http.Abort();
        }
    }

    private const int FlushBytes = 32 * 1024;
    private static readonly SemaphoreSlim SnapshotGate = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>
    /// An event as this watcher's filter sees it: an entry entering the filter is ADDED, one leaving it is
    /// DELETED, one outside it before and after is not sent at all.
    /// </summary>
    private static void WriteChange(System.IO.Pipelines.PipeWriter body, CatalogCache cache, CatalogEvent e, CatalogFilter filter)
    {
        var before = e.Previous is not null && filter.Matches(e.Previous);
        var after = e.Type != CatalogEventType.Deleted && filter.Matches(e.Entry);
        var type = (before, after) switch
        {
            (true, true) => "MODIFIED",
            (false, true) => "ADDED",
            (true, false) => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            var id = cache.Id(e.Version);
            WriteEntryEvent(body, type, id, e.Version, id, e.Entry);
        }
    }

    private static void WriteEntryEvent(IBufferWriter<byte> body, string type, string? sseId, long version, string id, StoredEntry item)
    {
        if (sseId is not null)
        {
            body.Write(Encoding.UTF8.GetBytes($"id: {sseId}\n"));
        }

        body.Write(Encoding.UTF8.GetBytes($"event: {type}\ndata: "));
        body.Write(JsonBytes(w =>
        {
            w.WriteString("type", type);
            w.WriteNumber("version", version);
            w.WriteString("id", id);
            w.WriteString("name", item.Name);
            w.WriteString("resourceVersion", item.ResourceVersion);
            w.WritePropertyName("object");
            w.WriteRawValue(ItemBytes(item), skipInputValidation: true);
        }));
        body.Write("\n\n"u8);
    }

    // A snapshot event differs between watchers only by the version it starts from, and watchers that connect
    // together start from the same one: each entry's event is rendered once per version and shared.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoredEntry, Tuple<long, byte[]>> SnapshotEvents = [];

    private static byte[] SnapshotEventBytes(StoredEntry item, long version, string id)
    {
        if (SnapshotEvents.TryGetValue(item, out var cached) && cached.Item1 == version)
        {
            return cached.Item2;
        }

        var writer = new ArrayBufferWriter<byte>(ItemBytes(item).Length + 256);
        WriteEntryEvent(writer, "ADDED", null, version, id, item);
        var bytes = writer.WrittenSpan.ToArray();
        SnapshotEvents.AddOrUpdate(item, Tuple.Create(version, bytes));
        return bytes;
    }

    private static void WriteEvent(System.IO.Pipelines.PipeWriter body, string type, string? id, byte[] data)
    {
        body.Write(Encoding.UTF8.GetBytes((id is null ? string.Empty : $"id: {id}\n") + $"event: {type}\ndata: "));
        body.Write(data);
        body.Write("\n\n"u8);
    }

    private static void WriteItem(Utf8JsonWriter w, StoredEntry item) => w.WriteRawValue(ItemBytes(item), skipInputValidation: true);

    // Entries are immutable: each is rendered once, on first use, and the bytes live as long as the entry.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoredEntry, byte[]> Rendered = [];

    /// <summary>An entry as the API shows it: compact JSON on one line (an SSE data line must not break).</summary>
    private static byte[] ItemBytes(StoredEntry item) => Rendered.GetValue(item, static i => JsonBytes(w => WriteItemBody(w, i)));

    private static void WriteItemBody(Utf8JsonWriter w, StoredEntry item)
    {
        w.WriteString("name", item.Name);
        w.WriteString("namespace", item.Namespace);
        w.WriteString("resourceVersion", item.ResourceVersion);
        w.WriteString("endpoint", item.Endpoint);
        w.WriteBoolean("push", item.IsPush);
        w.WriteStartObject("labels");
        foreach (var (key, value) in item.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        if (item.Entry is not null && item.Json is not null)
        {
            // The operator stores compact JSON; a push entry may be indented and is re-written on one line.
            w.WritePropertyName("agentType");
            using var stored = JsonDocument.Parse(item.Json);
            stored.RootElement.WriteTo(w);
        }
        else
        {
            w.WriteString("problem", item.Problem);
        }
    }

    private static byte[] JsonBytes(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string JsonText(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

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

    private static async Task<IResult?> NotSyncedAsync(CatalogCache cache, CancellationToken ct)
    {
        if (cache.IsSynced)
        {
            return null;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await cache.WaitForSyncAsync(wait.Token);
            return null;
        }
        catch (OperationCanceledException)
        {
            return Error(503, "the catalog cache has not synced with the API server yet");
        }
    }

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
/// (TokenReview) whose user may list ConfigMaps in the store namespace (SubjectAccessReview). Decisions
/// are cached for a short while per token, so a watch reconnect storm does not become a review storm.
/// </summary>
internal sealed class KubernetesApiAccess(IKubernetes client, StoreNamespace storeNamespace, TimeProvider time, ILogger<KubernetesApiAccess> logger) : IApiAuthenticator
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, int Status, string? Error)> decisions = new(StringComparer.Ordinal);

    public async Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return CatalogApi.Error(401, "a Kubernetes bearer token is required in the Authorization header");
        }

        var token = header[7..].Trim();
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (!decisions.TryGetValue(key, out var decision) || time.GetUtcNow() - decision.At > CacheFor)
        {
            try
            {
                decision = await DecideAsync(token, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested
                && e is HttpRequestException or TaskCanceledException or k8s.Autorest.HttpOperationException { Response.StatusCode: >= System.Net.HttpStatusCode.InternalServerError })
            {
                // Not a decision: nothing is cached, and the client is told to come back.
                Log.ReviewUnavailable(logger, e.Message);
                http.Response.Headers.RetryAfter = "5";
                return CatalogApi.Error(503, "the Kubernetes API server is unreachable, so the request cannot be authenticated; retry later");
            }

            decisions[key] = decision;
            if (decisions.Count > 10_000)
            {
                decisions.Clear();
            }
        }

        return decision.Status == 200 ? null : CatalogApi.Error(decision.Status, decision.Error!);
    }

    private async Task<(DateTimeOffset, int, string?)> DecideAsync(string token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken);
        if (review.Status?.Authenticated != true)
        {
            return (now, 401, "the bearer token is not valid" + (review.Status?.Error is { Length: > 0 } e ? $": {e}" : string.Empty));
        }

        var user = review.Status.User;
        var access = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Username,
                Groups = user.Groups,
                Uid = user.Uid,
                Extra = user.Extra,
                ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = storeNamespace.Name, Verb = "list", Resource = "configmaps" },
            },
        }, cancellationToken: cancellationToken);
        return access.Status?.Allowed == true
            ? (now, 200, null)
            : (now, 403, $"{user.Username} may not list configmaps in namespace {storeNamespace.Name}, so may not read the catalog");
    }
}
