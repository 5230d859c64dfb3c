using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// The catalog mirror fed by hand or by the list/watch engine over a fake list/watch (no API server): adds,
/// changes, deletions, and a relist after 410 Gone reach the feed as exactly the differences;
/// the reconciler's consistent read waits for the sync and for its own writes.
/// </summary>
[TestFixture]
public sealed class CatalogMirrorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static StoredEntry Entry(string name, string resourceVersion = "1") => CatalogFeedTests.Entry(name, resourceVersion);

    private static List<(CatalogEventType, string)> Drain(Subscriber subscriber)
    {
        var events = new List<(CatalogEventType, string)>();
        while (subscriber.Events.TryRead(out var e))
        {
            events.Add((e.Type, e.Entry.Name));
        }

        return events;
    }

    private static V1ConfigMap Stored(string name, string resourceVersion, string description = "")
    {
        var configMap = PushEntries.Build(name, description: description);
        configMap.Metadata.NamespaceProperty = "catalog";
        configMap.Metadata.ResourceVersion = resourceVersion;
        return configMap;
    }

    /// <summary>The mirror running on the engine over <see cref="CacheBed.Stored"/>, holding these entries (and any put before), and its first watch.</summary>
    private static async Task<FakeWatch<V1ConfigMap>> SyncedAsync(CacheBed bed, params string[] names)
    {
        foreach (var name in names)
        {
            bed.Stored.Put(Stored(name, "1"));
        }

        bed.StartWatching();
        var watch = await bed.Stored.NextWatchAsync();
        Assert.That(bed.Feed.IsSynced, Is.True);
        return watch;
    }

    /// <summary>A watch that ran a while (a bookmark came) and then outlived the server's history.</summary>
    private static void Expire(FakeWatch<V1ConfigMap> watch)
    {
        watch.Send(WatchEventKind.Bookmark, new V1ConfigMap { Metadata = new V1ObjectMeta { ResourceVersion = "150" } });
        watch.Break(new ResourceExpiredException("410 Gone"));
    }

    private static async Task<List<(CatalogEventType, string)>> NextAsync(Subscriber subscriber, int count)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = new List<(CatalogEventType, string)>();
        while (events.Count < count)
        {
            var e = await subscriber.Events.ReadAsync(bound.Token);
            events.Add((e.Type, e.Entry.Name));
        }

        return events;
    }

    [Test]
    public void Watch_events_reach_the_feed()
    {
        using var bed = new CacheBed(T0);
        using var subscriber = bed.Feed.Subscribe(null).Subscriber;

        bed.Cache.Apply(Entry("a"));
        bed.Cache.Apply(Entry("a", "2"));
        bed.Cache.Remove("a");

        Assert.That(Drain(subscriber), Is.EqualTo(new[] { (CatalogEventType.Added, "a"), (CatalogEventType.Modified, "a"), (CatalogEventType.Deleted, "a") }));
    }

    [Test]
    public async Task A_relist_publishes_exactly_what_was_missed()
    {
        using var bed = new CacheBed(T0);
        var watch = await SyncedAsync(bed, "kept", "changed", "gone");
        var kept = bed.Feed.Get("kept");
        using var subscriber = bed.Feed.Subscribe(null).Subscriber;

        // While the watch was gone: "changed" was modified, "gone" deleted, "new" added.
        bed.Stored.Put(Stored("changed", "2", "changed since"));
        bed.Stored.Remove("gone");
        bed.Stored.Put(Stored("new", "1"));
        Expire(watch);

        Assert.That(await NextAsync(subscriber, 3), Is.EquivalentTo(new[] { (CatalogEventType.Modified, "changed"), (CatalogEventType.Added, "new"), (CatalogEventType.Deleted, "gone") }));
        await bed.Stored.NextWatchAsync();
        Assert.That(Drain(subscriber), Is.Empty, "nothing else");
        Assert.That(bed.Feed.Get("kept"), Is.SameAs(kept), "an entry listed as it was is not republished");
    }

    [Test]
    public async Task A_relist_that_drops_an_entry_publishes_exactly_one_deletion()
    {
        using var bed = new CacheBed(T0);
        var watch = await SyncedAsync(bed, "a", "b");
        using var subscriber = bed.Feed.Subscribe(null).Subscriber;

        bed.Stored.Remove("b");
        Expire(watch);
        await bed.Stored.NextWatchAsync();

        Assert.That(Drain(subscriber), Is.EqualTo(new[] { (CatalogEventType.Deleted, "b") }));
        Assert.That(bed.Feed.Get("b"), Is.Null);
    }

    [Test]
    public async Task A_410_relist_of_the_same_catalog_publishes_nothing()
    {
        using var bed = new CacheBed(T0);
        var watch = await SyncedAsync(bed, "a", "b");
        var version = bed.Feed.Snapshot().Version;
        using var subscriber = bed.Feed.Subscribe(null).Subscriber;

        Expire(watch);
        await bed.Stored.NextWatchAsync();

        Assert.That(bed.Stored.ListCalls.Count(t => t is null), Is.EqualTo(2), "it did list again");
        Assert.That(Drain(subscriber), Is.Empty);
        Assert.That(bed.Feed.Snapshot().Version, Is.EqualTo(version));
    }

    [Test]
    public async Task The_first_list_syncs_the_feed()
    {
        using var bed = new CacheBed(T0);
        Assert.That(bed.Feed.IsSynced, Is.False);

        await SyncedAsync(bed);

        Assert.That(bed.Feed.IsSynced, Is.True);
    }

    [Test]
    public async Task The_consistent_read_is_refused_before_the_sync()
    {
        using var bed = new CacheBed(T0);
        bed.Cache.Apply(Entry("a"));

        Assert.That(await bed.Cache.TryReadAsync(new Dictionary<string, string?>(), TimeSpan.Zero, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task The_consistent_read_shows_the_writes_it_waits_for()
    {
        using var bed = new CacheBed(T0);
        bed.Stored.Put(Stored("a", "3"));
        await SyncedAsync(bed, "b");

        var read = await bed.Cache.TryReadAsync(new Dictionary<string, string?> { ["a"] = "3", ["c"] = null }, TimeSpan.Zero, CancellationToken.None);
        var stale = await bed.Cache.TryReadAsync(new Dictionary<string, string?> { ["a"] = "4" }, TimeSpan.Zero, CancellationToken.None);
        var deleted = await bed.Cache.TryReadAsync(new Dictionary<string, string?> { ["b"] = null }, TimeSpan.Zero, CancellationToken.None);

        Assert.That(read?.Select(e => e.Name), Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(stale, Is.Null, "the mirror has not seen the write yet");
        Assert.That(deleted, Is.Null, "the mirror still holds the deleted entry");
    }
}
