using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>What a watch of AgentTypes asked for.</summary>
internal sealed record WatchRequest(CatalogFilter Filter, string StoreNamespace, bool Table, AgentTypeObjects.RowObject Include, bool Bookmarks, string? ResourceVersion, TimeSpan? Timeout, string? Namespace = null);

/// <summary>
/// A Kubernetes watch of AgentTypes: newline-delimited <c>{"type":…,"object":…}</c> events. Without a
/// resourceVersion (or with "0") it starts with ADDED for every entry that matches; with one of this cache's
/// it replays every change after it; with one the history no longer reaches (or from another replica or
/// run) it sends an ERROR event with a 410 Expired Status, and the client relists, as client-go does.
/// Events are classified by the watcher's filter as the SSE stream classifies them (an entry entering the
/// filter is ADDED, one leaving it DELETED); BOOKMARKs carry the latest version when the client allows them.
/// </summary>
internal sealed class AgentTypeWatch(WatchRequest request, ICatalogView cache, WatchAdmission watchers, string user, AggregatedApiOptions options, TimeProvider time) : IResult
{
    private const int FlushBytes = 32 * 1024;
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMinutes(30);
    private bool columnsSent;

    /// <summary>The longest watch: a client's timeoutSeconds beyond it is cut to it.</summary>
    public static TimeSpan MaxTimeout { get; } = MinTimeout * 2;

    public async Task ExecuteAsync(HttpContext http)
    {
        // A watch of one namespace holds a slot of that namespace's share; one of all namespaces was
        // authorized at the cluster scope and may use the reserve.
        var admission = watchers.TryEnter(user, request.Namespace is { } ns ? [ns] : null);
        if (admission.Lease is null)
        {
            http.RequestServices.GetRequiredService<ReadApiLogs>().WatchRefused(admission.Refusal!);
            http.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await AgentTypeObjects.Status(429, "TooManyRequests", admission.Refusal!).ExecuteAsync(http);
            return;
        }

        using (admission.Lease)
        {
            await StreamAsync(http);
        }
    }

    private async Task StreamAsync(HttpContext http)
    {
        long? from = null;
        var expired = false;
        if (request.ResourceVersion is { } rv && rv != "0")
        {
            expired = !cache.TryParseResourceVersion(rv, out var v);
            from = v;
        }

        var start = expired ? null : cache.SubscribeFrom(from);
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        var body = http.Response.BodyWriter;
        if (start is null)
        {
            Write(body, "ERROR", AgentTypeObjects.StatusBytes(410, "Expired", $"too old resource version: {request.ResourceVersion}"));
            await body.FlushAsync(http.RequestAborted);
            return;
        }

        using var subscriber = start.Subscriber;
        // Kubernetes ends watches after a random 30–60 minutes (its min-request-timeout) so clients spread
        // their re-watches; a client's own timeoutSeconds ends it sooner.
        var timeout = request.Timeout ?? MinTimeout + TimeSpan.FromSeconds(Random.Shared.Next(0, (int)MinTimeout.TotalSeconds));
        using var deadline = new CancellationTokenSource(timeout, time);
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, subscriber.Overflowed, deadline.Token);
        var ct = cut.Token;
        var last = start.Version;
        try
        {
            await http.Response.StartAsync(ct);
            if (start.Snapshot is { } snapshot)
            {
                for (var next = 0; next < snapshot.Length;)
                {
                    // A chunk at a time through the same gate as the SSE snapshots, so a burst of watchers
                    // never keeps probes waiting.
                    await CatalogStream.SnapshotGate.WaitAsync(ct);
                    try
                    {
                        for (; next < snapshot.Length && body.UnflushedBytes < FlushBytes; next++)
                        {
                            if (request.Filter.Matches(snapshot[next]))
                            {
                                WriteEntry(body, "ADDED", snapshot[next], cache.VersionOf(snapshot[next]));
                            }
                        }
                    }
                    finally
                    {
                        CatalogStream.SnapshotGate.Release();
                    }

                    await body.FlushAsync(ct);
                }
            }

            foreach (var e in start.Replay)
            {
                WriteChange(body, e);
                last = e.Version;
            }

            if (request.Bookmarks)
            {
                WriteBookmark(body, last);
            }

            await body.FlushAsync(ct);
            var reader = subscriber.Events;
            using var ticker = new PeriodicTimer(options.BookmarkInterval, time);
            var tick = ticker.WaitForNextTickAsync(ct).AsTask();
            var read = reader.WaitToReadAsync(ct).AsTask();
            while (true)
            {
                if (await Task.WhenAny(read, tick) == tick)
                {
                    await tick;
                    if (request.Bookmarks)
                    {
                        WriteBookmark(body, last);
                        await body.FlushAsync(ct);
                    }

                    tick = ticker.WaitForNextTickAsync(ct).AsTask();
                    continue;
                }

                if (!await read)
                {
                    break;
                }

                while (reader.TryRead(out var e))
                {
                    if (e.Version > last)
                    {
                        WriteChange(body, e);
                        last = e.Version;
                    }
                }

                await body.FlushAsync(ct);
                read = reader.WaitToReadAsync(ct).AsTask();
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, the watch timed out, or the watcher fell behind: it re-watches from its last version.
        }
    }

    private void WriteChange(PipeWriter body, CatalogEvent e)
    {
        if (CatalogStream.ChangeType(e, request.Filter) is { } type)
        {
            WriteEntry(body, type, e.Entry, e.Version);
        }
    }

    private void WriteEntry(PipeWriter body, string type, StoredEntry item, long version)
    {
        var rv = cache.ResourceVersion(version);
        var first = !columnsSent;
        columnsSent = true;
        Write(body, type, request.Table
            ? AgentTypeObjects.TableBytes([(item, rv)], rv, request.StoreNamespace, request.Include, withColumns: first, time.GetUtcNow())
            : AgentTypeObjects.ObjectBytes(item, rv, request.StoreNamespace));
    }

    private void WriteBookmark(PipeWriter body, long version) => Write(body, "BOOKMARK", AgentTypeObjects.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", request.Table ? "Table" : AgentTypeObjects.Kind);
        w.WriteString("apiVersion", request.Table ? "meta.k8s.io/v1" : AgentTypeObjects.GroupVersion);
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", cache.ResourceVersion(version));
        w.WriteEndObject();
        w.WriteEndObject();
    }));

    private static void Write(PipeWriter body, string type, byte[] objectBytes)
    {
        body.Write("{\"type\":\""u8);
        body.Write(System.Text.Encoding.UTF8.GetBytes(type));
        body.Write("\",\"object\":"u8);
        body.Write(objectBytes);
        body.Write("}\n"u8);
    }
}
