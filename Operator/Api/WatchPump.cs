using System.IO.Pipelines;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>How one watch protocol writes what the pump hands it; everything else is the pump's.</summary>
internal interface IWatchWriter
{
    /// <summary>Before anything else (the SSE RESYNC notice).</summary>
    void Begin(PipeWriter body, Subscription start);

    /// <summary>One entry of the starting snapshot that the watcher's filter matches.</summary>
    void SnapshotEntry(PipeWriter body, StoredEntry entry, Subscription start);

    /// <summary>After the snapshot (the SSE SYNCED event).</summary>
    void SnapshotDone(PipeWriter body, Subscription start);

    /// <summary>A change as the watcher's filter sees it (<paramref name="type"/> ADDED, MODIFIED or DELETED).</summary>
    void Change(PipeWriter body, string type, CatalogEvent e);

    /// <summary>Caught up with the replay (a Kubernetes BOOKMARK when allowed).</summary>
    void CaughtUp(PipeWriter body, long version);

    /// <summary>The timer ticked (an SSE heartbeat, a Kubernetes BOOKMARK); false when nothing was written.</summary>
    bool Tick(PipeWriter body, long version);
}

/// <summary>
/// The one loop behind both watch protocols: status line first, the snapshot from the feed's shared view a
/// chunk at a time through a small gate, the replay, then the changes as the watcher's filter sees them and
/// a tick between them. Nothing is buffered on a slow client's behalf: Kestrel holds at most its response
/// buffer (64 KiB) and cuts a client that stops reading; a watcher whose queue overflowed is cut off.
/// A held watcher waits on its queue alone: ticks arrive in it from the shared <see cref="WatchTicks"/>, and
/// the client leaving, the watch's end or an overflow end the queue and cancel a flush the client holds up,
/// so a watcher owns no timer, no linked token source and no task per wait.
/// </summary>
internal static class WatchPump
{
    private const int FlushBytes = 32 * 1024;

    /// <summary>A few snapshots at a time: a burst of watchers never fills the thread pool's queue, so probes and /metrics are answered in between.</summary>
    internal static readonly SemaphoreSlim SnapshotGate = new(Math.Max(1, Environment.ProcessorCount / 2));

    /// <summary>Streams until the client leaves, <paramref name="stop"/> fires or the watcher falls behind; true in that last case.</summary>
    public static async Task<bool> RunAsync(HttpContext http, Subscription start, CatalogFilter filter, IWatchWriter writer, TimeSpan tickEvery, TimeProvider time, CancellationToken stop)
    {
        using var subscriber = start.Subscriber;
        var body = http.Response.BodyWriter;
        var cut = new Cut(subscriber, body);
        using var left = http.RequestAborted.Register(Cut.Run, cut);
        using var ended = stop.Register(Cut.Run, cut);
        using var behind = subscriber.Overflowed.Register(Cut.Run, cut);
        var last = start.Version;
        try
        {
            // The status line first: a client learns it is connected before the snapshot is written.
            await http.Response.StartAsync(http.RequestAborted);
            writer.Begin(body, start);
            if (start.Snapshot is { } snapshot)
            {
                for (var next = 0; next < snapshot.Length;)
                {
                    // The gate is never held across a flush, so a client that does not read holds nobody up.
                    await SnapshotGate.WaitAsync(http.RequestAborted);
                    try
                    {
                        for (; next < snapshot.Length && body.UnflushedBytes < FlushBytes; next++)
                        {
                            if (filter.Matches(snapshot[next]))
                            {
                                writer.SnapshotEntry(body, snapshot[next], start);
                            }
                        }
                    }
                    finally
                    {
                        SnapshotGate.Release();
                    }

                    if (Cut.Done(await body.FlushAsync(CancellationToken.None)))
                    {
                        return subscriber.Overflowed.IsCancellationRequested;
                    }
                }

                writer.SnapshotDone(body, start);
            }

            foreach (var e in start.Replay)
            {
                Change(writer, body, e, filter);
                last = e.Version;
            }

            writer.CaughtUp(body, last);
            if (Cut.Done(await body.FlushAsync(CancellationToken.None)))
            {
                return subscriber.Overflowed.IsCancellationRequested;
            }

            using var ticking = WatchTicks.For(tickEvery, time).Add(subscriber);
            var reader = subscriber.Events;
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                var wrote = false;
                while (reader.TryRead(out var e))
                {
                    if (ReferenceEquals(e, Subscriber.Tick))
                    {
                        wrote |= writer.Tick(body, last);
                    }
                    else if (e.Version > last)
                    {
                        wrote |= Change(writer, body, e, filter);
                        last = e.Version;
                    }
                }

                if (wrote && Cut.Done(await body.FlushAsync(CancellationToken.None)))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client left before its status line or at the snapshot gate: nothing more to write.
        }

        // The client left, the watch ended, or the watcher fell behind: it resumes from its last version.
        return subscriber.Overflowed.IsCancellationRequested;
    }

    /// <summary>What ends a watch from outside its loop: the queue ends, and a flush a client holds up returns.</summary>
    private sealed class Cut(Subscriber subscriber, PipeWriter body)
    {
        public static readonly Action<object?> Run = static state => ((Cut)state!).End();

        private void End()
        {
            subscriber.End();
            body.CancelPendingFlush();
        }

        /// <summary>The flush was cancelled by <see cref="Run"/>, or the client is gone.</summary>
        public static bool Done(FlushResult result) => result.IsCanceled || result.IsCompleted;
    }

    private static bool Change(IWatchWriter writer, PipeWriter body, CatalogEvent e, CatalogFilter filter)
    {
        if (ChangeType(e, filter) is { } type)
        {
            writer.Change(body, type, e);
            return true;
        }

        return false;
    }

    /// <summary>
    /// An event as a watcher's filter sees it: an entry entering the filter is ADDED, one leaving it is
    /// DELETED, one outside it before and after is not sent at all (null). Both watch protocols classify by it.
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
}
