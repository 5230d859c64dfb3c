using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// How the catalog API writes entries: each entry rendered to compact JSON once and shared by every reader
/// (<see cref="EntryRenders"/>), and the SSE watch's writer for <see cref="WatchPump"/> — RESYNC when the
/// Last-Event-ID could not be resumed, the snapshot (ADDED per entry, no id, then SYNCED), the changes with
/// their ids, and heartbeats.
/// </summary>
internal static class CatalogStream
{
    public static async Task StreamAsync(HttpContext http, ICatalogView feed, WireIds ids, string? lastEventId, CatalogFilter filter, TimeSpan heartbeat, TimeProvider time, ILogger logger, int buffer)
    {
        var resumable = ids.TryParseEventId(lastEventId, out var last);
        var start = feed.Subscribe(resumable ? last : null);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var writer = new SseWriter(ids, time, Resync: start.TooOld || (lastEventId is not null && !resumable));
        if (await WatchPump.RunAsync(http, start, filter, writer, heartbeat, time, CancellationToken.None))
        {
            Log.WatcherOverflowed(logger, buffer);
            http.Abort();
        }
    }

    private sealed record SseWriter(WireIds Ids, TimeProvider Time, bool Resync) : IWatchWriter
    {
        public void Begin(PipeWriter body, Subscription start)
        {
            if (Resync)
            {
                WriteEvent(body, "RESYNC", null, JsonBytes(w => w.WriteString("reason", "the history no longer reaches back to Last-Event-ID")));
            }
        }

        // Snapshot events carry no id: a client cut off mid-snapshot resumes with a fresh one.
        public void SnapshotEntry(PipeWriter body, StoredEntry entry, Subscription start) =>
            body.Write(EntryRenders.SseSnapshot(entry, start.Version, (e, v) => SnapshotEventBytes(e, v, Ids.EventId(v))));

        public void SnapshotDone(PipeWriter body, Subscription start) =>
            WriteEvent(body, "SYNCED", Ids.EventId(start.Version), JsonBytes(w => w.WriteNumber("version", start.Version)));

        public void Change(PipeWriter body, string type, CatalogEvent e)
        {
            var id = Ids.EventId(e.Version);
            WriteEntryEvent(body, type, id, e.Version, id, e.Entry);
        }

        public void CaughtUp(PipeWriter body, long version)
        {
        }

        public bool Tick(PipeWriter body, long version)
        {
            body.Write(Encoding.UTF8.GetBytes($": heartbeat {Time.GetUtcNow():O}\n\n"));
            return true;
        }
    }

    private static byte[] SnapshotEventBytes(StoredEntry item, long version, string id)
    {
        var writer = new ArrayBufferWriter<byte>(ItemBytes(item).Length + 256);
        WriteEntryEvent(writer, "ADDED", null, version, id, item);
        return writer.WrittenSpan.ToArray();
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

    private static void WriteEvent(PipeWriter body, string type, string? id, byte[] data)
    {
        body.Write(Encoding.UTF8.GetBytes((id is null ? string.Empty : $"id: {id}\n") + $"event: {type}\ndata: "));
        body.Write(data);
        body.Write("\n\n"u8);
    }

    public static void WriteItem(Utf8JsonWriter w, StoredEntry item) => w.WriteRawValue(ItemBytes(item), skipInputValidation: true);

    /// <summary>An entry as the API shows it: compact JSON on one line (an SSE data line must not break).</summary>
    public static byte[] ItemBytes(StoredEntry item) => EntryRenders.Item(item, static i => JsonBytes(w => WriteItemBody(w, i)));

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
        if (item.Entry is not null && item.Utf8Json is not null)
        {
            // The operator stores compact JSON; a push entry may be indented and is re-written on one line.
            w.WritePropertyName("agentType");
            using var stored = JsonDocument.Parse(item.Utf8Json);
            stored.RootElement.WriteTo(w);
        }
        else
        {
            w.WriteString("problem", item.Problem);
        }
    }

    /// <summary>One JSON object, compact, UTF-8 written as is.</summary>
    public static byte[] JsonBytes(Action<Utf8JsonWriter> write) => EntryRenders.Json(w =>
    {
        w.WriteStartObject();
        write(w);
        w.WriteEndObject();
    });
}
