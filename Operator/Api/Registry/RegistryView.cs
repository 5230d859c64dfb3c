using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// The registry's own view of the catalog, fed by <see cref="ICatalogView.Subscribe"/>: the MCP entries as
/// servers, sorted by name and rendered once per change, and the tombstones of removed entries (kept for
/// <see cref="RegistryOptions.TombstoneAge"/>, at most <see cref="RegistryOptions.Tombstones"/>) so that an
/// <c>updated_since</c> pull learns of deletions. <c>updatedAt</c> is when this view saw a server change as a
/// client sees it (an entry's own condition times for what it finds at start-up), so noise such as a failure
/// count going up moves nothing.
/// </summary>
internal sealed class RegistryView(ICatalogView catalog, StoreNamespace store, RegistryOptions options, TimeProvider time, ILogger<RegistryView> logger) : BackgroundService
{
    private readonly IReadOnlyDictionary<string, Uri> baseUrls = options.BaseUrls();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, StoredEntry> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegistryServer> live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RegistryServer Server, DateTimeOffset RemovedAt)> tombstones = new(StringComparer.Ordinal);
    private volatile RegistrySnapshot current = RegistrySnapshot.Empty;

    /// <summary>The servers now, live and tombstones, sorted by name; shared by every reader until the next change.</summary>
    public RegistrySnapshot Current => current;

    /// <summary>Whether the view holds the catalog, waiting a few seconds for it: readers get an answer or a 503.</summary>
    public async Task<bool> WaitReadyAsync(CancellationToken cancellationToken)
    {
        if (ready.Task.IsCompleted)
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await ready.Task.WaitAsync(either.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.IsOn)
        {
            return;
        }

        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (!await catalog.WaitSyncedAsync(stoppingToken))
                {
                    // WaitSyncedAsync gives up after a few seconds; the catalog syncs when the API server answers.
                }

                var start = catalog.Subscribe(null);
                using var subscriber = start.Subscriber;
                entries.Clear();
                foreach (var item in start.Snapshot ?? [])
                {
                    entries[item.Name] = item;
                }

                Apply(initial: first);
                first = false;
                ready.TrySetResult();
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, subscriber.Overflowed);
                var reader = subscriber.Events;
                while (await reader.WaitToReadAsync(cut.Token))
                {
                    // Everything queued is applied at once: one projection per batch, not per event.
                    while (reader.TryRead(out var e))
                    {
                        if (e.Type == CatalogEventType.Deleted)
                        {
                            entries.Remove(e.Entry.Name);
                        }
                        else
                        {
                            entries[e.Entry.Name] = e.Entry;
                        }
                    }

                    Apply(initial: false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // Fell behind and was cut off: subscribe again from a fresh snapshot; removals in between still become tombstones.
                Log.RegistryViewResync(logger);
            }
            catch (Exception e) when (e is InvalidOperationException or System.Threading.Channels.ChannelClosedException)
            {
                Log.RegistryViewFailed(logger, e.Message);
            }
        }
    }

    /// <summary>Projects the entries again, keeping the times (and bytes) of every server a client would see unchanged.</summary>
    internal void Apply(bool initial)
    {
        var now = time.GetUtcNow();
        var next = RegistryProjection.Project(entries.Values, store.Name, options, baseUrls, now);
        foreach (var (entryName, previous) in live.Where(p => !next.ContainsKey(p.Key)).ToList())
        {
            var gone = previous with { Status = RegistryStatus.Deleted, UpdatedAt = now };
            tombstones[entryName] = (gone with { Json = RegistryJson.Render(gone) }, now);
            live.Remove(entryName);
        }

        foreach (var (entryName, server) in next)
        {
            tombstones.Remove(entryName);
            if (live.TryGetValue(entryName, out var previous) && previous.SameContent(server))
            {
                continue;
            }

            var published = previous is null ? server.PublishedAt : Min(previous.PublishedAt, server.PublishedAt);
            var updated = initial && previous is null ? RegistryProjection.LastTold(entries[entryName]) ?? now : now;
            var timed = server with { PublishedAt = published, UpdatedAt = Max(updated, published) };
            live[entryName] = timed with { Json = RegistryJson.Render(timed) };
        }

        Prune(now);
        var names = live.Values.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        current = new RegistrySnapshot([.. live.Values.Concat(tombstones.Values.OrderByDescending(t => t.RemovedAt).Select(t => t.Server)
            .Where(t => !names.Contains(t.Name)).DistinctBy(t => t.Name, StringComparer.OrdinalIgnoreCase))
            .OrderBy(s => s.Name, StringComparer.Ordinal)]);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var old in tombstones.Where(t => now - t.Value.RemovedAt > options.TombstoneAge).Select(t => t.Key).ToList())
        {
            tombstones.Remove(old);
        }

        if (tombstones.Count > options.Tombstones)
        {
            foreach (var oldest in tombstones.OrderBy(t => t.Value.RemovedAt).Take(tombstones.Count - options.Tombstones).Select(t => t.Key).ToList())
            {
                tombstones.Remove(oldest);
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
