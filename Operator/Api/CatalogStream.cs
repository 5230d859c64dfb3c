using System.Buffers;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// How the catalog API writes entries: each entry rendered to compact JSON once and shared by every reader,
/// and the SSE watch — status line first, the snapshot from the cache's shared view a chunk at a time through a
/// small gate, then the changes as this watcher's filter sees them, with heartbeats. Nothing is buffered on a
/// slow client's behalf: Kestrel holds at most its response buffer and cuts a client that stops reading.
/// </summary>
internal static class CatalogStream
{
    public static async Task StreamAsync(HttpContext http, ICatalogView cache, Subscriber subscriber, Subscription start, CatalogFilter filter, TimeSpan heartbeat, TimeProvider time, ILogger logger, int buffer)
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
    internal static readonly SemaphoreSlim SnapshotGate = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>
    /// An event as a watcher's filter sees it: an entry entering the filter is ADDED, one leaving it is
    /// DELETED, one outside it before and after is not sent at all (null). Both watch APIs classify by it.
    /// </summary>
    public static string? ChangeType(CatalogEvent e, CatalogFilter filter)
    {
        var before = e.Previous is not null && filter.Matches(e.Previous);
        var after = e.Type != CatalogEventType.Deleted && filter.Matches(e.Entry);
        return (before, after) switch
        {
            (true, true) => "MODIFIED",
            (false, true) => "ADDED",
            (true, false) => "DELETED",
            _ => null,
        };
    }

    private static void WriteChange(System.IO.Pipelines.PipeWriter body, ICatalogView cache, CatalogEvent e, CatalogFilter filter)
    {
        if (ChangeType(e, filter) is { } type)
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

    public static void WriteItem(Utf8JsonWriter w, StoredEntry item) => w.WriteRawValue(ItemBytes(item), skipInputValidation: true);

    // Entries are immutable: each is rendered once, on first use, and the bytes live as long as the entry.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoredEntry, byte[]> Rendered = [];

    /// <summary>An entry as the API shows it: compact JSON on one line (an SSE data line must not break).</summary>
    public static byte[] ItemBytes(StoredEntry item) => Rendered.GetValue(item, static i => JsonBytes(w => WriteItemBody(w, i)));

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

    /// <summary>One JSON object, compact, UTF-8 written as is.</summary>
    public static byte[] JsonBytes(Action<Utf8JsonWriter> write)
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
}
