using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// The one cache of rendered bytes: entries are immutable, so each is rendered once per form (the catalog
/// item, its SSE snapshot event at a version, its AgentType at a resourceVersion) and the bytes are shared
/// by every reader for as long as the entry lives. Renders of the same form race harmlessly: the last wins.
/// </summary>
internal static class EntryRenders
{
    private static readonly ConditionalWeakTable<StoredEntry, Forms> Table = [];
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A pooled buffer kept while it stays this small; one grown past it (a huge list) is let go.</summary>
    private const int KeptBufferBytes = 256 * 1024;

    // One writer and buffer per thread, reused render after render: only the exact-size result is allocated.
    [ThreadStatic]
    private static Pooled? pooled;

    private sealed class Pooled
    {
        public readonly ArrayBufferWriter<byte> Buffer = new(4096);
        public Utf8JsonWriter? Writer;
        public bool InUse;
    }

    private sealed class Forms
    {
        public byte[]? Item;
        public Keyed<long>? SseSnapshot;
        public Keyed<string>? AgentType;
    }

    private sealed record Keyed<TKey>(TKey Key, byte[] Bytes);

    /// <summary>The entry as the catalog API shows it.</summary>
    public static byte[] Item(StoredEntry entry, Func<StoredEntry, byte[]> render)
    {
        var forms = Table.GetOrCreateValue(entry);
        return forms.Item ??= render(entry);
    }

    /// <summary>
    /// A snapshot event differs between watchers only by the version it starts from, and watchers that connect
    /// together start from the same one: the latest version's event is kept.
    /// </summary>
    public static byte[] SseSnapshot(StoredEntry entry, long version, Func<StoredEntry, long, byte[]> render) =>
        Kept(ref Table.GetOrCreateValue(entry).SseSnapshot, entry, version, render);

    /// <summary>The entry as an AgentType; an entry keeps one resourceVersion while shown (a DELETED event carries another).</summary>
    public static byte[] AgentType(StoredEntry entry, string resourceVersion, Func<StoredEntry, string, byte[]> render) =>
        Kept(ref Table.GetOrCreateValue(entry).AgentType, entry, resourceVersion, render);

    /// <summary>
    /// Renders compact UTF-8 JSON (text written as is) through this thread's pooled buffer and returns exactly
    /// the bytes written. A render inside a render (a list of rendered entries) gets a buffer of its own.
    /// </summary>
    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var mine = pooled ??= new Pooled();
        if (mine.InUse)
        {
            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                write(w);
            }

            return buffer.WrittenSpan.ToArray();
        }

        mine.InUse = true;
        try
        {
            mine.Buffer.ResetWrittenCount();
            var writer = mine.Writer ??= new Utf8JsonWriter(mine.Buffer, WriterOptions);
            writer.Reset(mine.Buffer);
            write(writer);
            writer.Flush();
            return mine.Buffer.WrittenSpan.ToArray();
        }
        finally
        {
            mine.InUse = false;
            if (mine.Buffer.Capacity > KeptBufferBytes)
            {
                pooled = null;
            }
        }
    }

    /// <summary>The bytes kept for <paramref name="key"/>, or rendered and kept in their place.</summary>
    private static byte[] Kept<TKey>(ref Keyed<TKey>? slot, StoredEntry entry, TKey key, Func<StoredEntry, TKey, byte[]> render)
    {
        if (slot is { } kept && EqualityComparer<TKey>.Default.Equals(kept.Key, key))
        {
            return kept.Bytes;
        }

        var bytes = render(entry, key);
        slot = new Keyed<TKey>(key, bytes);
        return bytes;
    }
}
