using System.Runtime.CompilerServices;
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
