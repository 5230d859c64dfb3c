using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// Keeps <see cref="AgentSearchIndex"/> equal to the catalog: the feed's snapshot builds it, each batch of
/// changes after that is applied and made searchable at once. A watcher the feed cut off (it fell behind)
/// resumes from its last version: a replay when the history still reaches, else a fresh snapshot that the
/// index is rebuilt from, so nothing a relist dropped stays findable. A failed iteration is logged and the
/// loop starts over from a snapshot.
/// </summary>
internal sealed class SearchIndexFeed(ICatalogView view, AgentSearchIndex index, TimeProvider time, ILogger<SearchIndexFeed> logger) : BackgroundService
{
    /// <summary>Changes applied before the searcher is refreshed, so a burst is searchable well within a second.</summary>
    public const int MaxBatch = 1000;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? from = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                from = await FollowAsync(from, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.SearchIndexFailed(logger, e.GetType().Name, e.Message, RetryDelay.TotalSeconds);
                from = null;
                try
                {
                    await Task.Delay(RetryDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Follows the feed until the watcher is cut off; returns the last version applied.</summary>
    private async Task<long> FollowAsync(long? from, CancellationToken cancellationToken)
    {
        var start = view.Subscribe(from);
        using var subscriber = start.Subscriber;
        var last = start.Version;
        if (start.Snapshot is { } snapshot)
        {
            index.Rebuild(snapshot);
            Log.SearchIndexRebuilt(logger, start.Version, snapshot.Length, from is null ? "start" : "the feed's history no longer reached the index's version");
        }
        else
        {
            index.Apply(start.Replay);
            last = start.Replay.Count > 0 ? start.Replay[^1].Version : last;
        }

        var events = subscriber.Events;
        var batch = new List<CatalogEvent>();
        while (await events.WaitToReadAsync(cancellationToken))
        {
            while (batch.Count < MaxBatch && events.TryRead(out var e))
            {
                if (e.Version > last)
                {
                    batch.Add(e);
                    last = e.Version;
                }
            }

            index.Apply(batch);
            batch.Clear();
        }

        return last;
    }
}
