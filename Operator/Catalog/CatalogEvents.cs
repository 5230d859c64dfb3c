using System.Threading.Channels;

namespace AgentLens.Operator.Catalog;

internal enum CatalogEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>
/// One change to the catalog, numbered by the cache's version. <see cref="Previous"/> is the entry before the
/// change (null for an addition), so that any filter can be applied to any event without per-client state.
/// </summary>
internal sealed record CatalogEvent(long Version, CatalogEventType Type, StoredEntry Entry, StoredEntry? Previous, DateTimeOffset At);

/// <summary>
/// What a new watcher starts from: a snapshot, or a replay of what it missed. <see cref="TooOld"/>: it asked
/// to resume from a version the history no longer reaches, and got a snapshot instead.
/// </summary>
internal sealed record Subscription(Subscriber Subscriber, ImmutableArray<StoredEntry>? Snapshot, IReadOnlyList<CatalogEvent> Replay, long Version, bool TooOld);

/// <summary>A watcher's bounded queue. When it is full the watcher is cut off; it never slows anyone else.</summary>
internal sealed class Subscriber : IDisposable
{
    private readonly Channel<CatalogEvent> channel;
    private readonly CancellationTokenSource overflow = new();
    private readonly Action<Subscriber> unsubscribe;

    public Subscriber(int capacity, Action<Subscriber> unsubscribe)
    {
        channel = Channel.CreateBounded<CatalogEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        this.unsubscribe = unsubscribe;
    }

    public ChannelReader<CatalogEvent> Events => channel.Reader;

    /// <summary>Cancelled when the watcher fell too far behind and was cut off.</summary>
    public CancellationToken Overflowed => overflow.Token;

    /// <summary>
    /// What <see cref="Nudge"/> puts in the queue: never published by the feed, so a reader that is never
    /// nudged never sees it.
    /// </summary>
    public static readonly CatalogEvent Tick = new(long.MinValue, CatalogEventType.Modified, null!, null, default);

    /// <summary>Wakes the reader with <see cref="Tick"/> (a heartbeat is due); a full queue skips it and is not an overflow.</summary>
    public void Nudge() => channel.Writer.TryWrite(Tick);

    /// <summary>The reader is done (its client left, or its watch ended): it reads what is queued, then the end.</summary>
    public void End() => channel.Writer.TryComplete();

    internal void Offer(CatalogEvent e)
    {
        if (!channel.Writer.TryWrite(e) && !overflow.IsCancellationRequested)
        {
            overflow.Cancel();
            channel.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        unsubscribe(this);
        channel.Writer.TryComplete();
        overflow.Dispose();
    }
}
