using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using static AgentLens.Operator.Tests.Api.Search.SearchEntries;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>
/// The index follows the real catalog feed: what is published is found, what is removed or goes Offline is
/// not, and a watcher the feed cut off comes back without stale documents.
/// </summary>
[TestFixture]
public sealed class SearchIndexFeedTests
{
    private static async Task<string> UntilAsync(IAgentSearch search, string query, string expected) =>
        await Poll.UntilAsync(() => Task.FromResult(string.Join(",", search.Names(query))), s => s == expected, seconds: 10);

    private static (CatalogFeed Feed, AgentSearchIndex Index, SearchIndexFeed Loop) Start(int buffer = 1024, int history = 10_000)
    {
        var feed = new CatalogFeed(new CacheOptions { WatcherBuffer = buffer, HistorySize = history }, TimeProvider.System);
        var index = new AgentSearchIndex(new StoreNamespace("catalog"));
        var loop = new SearchIndexFeed(new CatalogView(feed), index, TimeProvider.System, NullLogger<SearchIndexFeed>.Instance);
        return (feed, index, loop);
    }

    [Test]
    public async Task An_added_entry_is_found_and_a_removed_one_is_not()
    {
        var (feed, index, loop) = Start();
        using var _ = index;
        feed.Put(Agent("weather", "Forecasts the weather"));
        await loop.StartAsync(CancellationToken.None);
        try
        {
            Assert.That(await UntilAsync(index, "forecasts", "weather"), Is.EqualTo("weather"), "the snapshot");

            feed.Put(Agent("almanac", "Forecasts tides"));
            Assert.That(await UntilAsync(index, "forecasts", "almanac,weather"), Does.Contain("almanac"), "a change");

            feed.Remove("weather");
            Assert.That(await UntilAsync(index, "forecasts", "almanac"), Is.EqualTo("almanac"));
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task An_entry_that_goes_Offline_drops_out_by_default()
    {
        var (feed, index, loop) = Start();
        using var _ = index;
        feed.Put(Agent("weather", "Forecasts the weather"));
        await loop.StartAsync(CancellationToken.None);
        try
        {
            await UntilAsync(index, "forecasts", "weather");

            feed.Put(Agent("weather", "Forecasts the weather", Lifecycle.Offline) with { ResourceVersion = "2" });

            Assert.That(await UntilAsync(index, "forecasts", string.Empty), Is.Empty);
            Assert.That(index.Names("forecasts", new CatalogFilter { Lifecycle = "Offline" }), Is.EqualTo(new[] { "weather" }));
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_watcher_cut_off_comes_back_to_exactly_the_catalog()
    {
        // A one-event queue and a one-event history: a burst cuts the index's watcher off and the history no
        // longer reaches it, so it resumes from a fresh snapshot.
        var (feed, index, loop) = Start(buffer: 1, history: 1);
        using var _ = index;
        await loop.StartAsync(CancellationToken.None);
        try
        {
            feed.Put(Agent("agent-000", "Forecasts"));
            await UntilAsync(index, "forecasts", "agent-000");
            for (var i = 1; i < 200; i++)
            {
                feed.Put(Agent($"agent-{i:D3}", "Forecasts"));
            }

            for (var i = 0; i < 199; i++)
            {
                feed.Remove($"agent-{i:D3}");
            }

            Assert.That(await UntilAsync(index, "forecasts", "agent-199"), Is.EqualTo("agent-199"));
            Assert.That(index.Count, Is.EqualTo(1));
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }
}
