using AgentLens.Operator.Catalog;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// The catalog mirror fed by hand (no API server): what it is told by the list/watch — adds, changes,
/// deletions, and a relist diffed against what it holds — reaches the feed as exactly the differences;
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
    public void A_relist_publishes_exactly_what_was_missed()
    {
        using var bed = new CacheBed(T0);
        var kept = Entry("kept");
        bed.Cache.Relisted([kept, Entry("changed"), Entry("gone")]);
        using var subscriber = bed.Feed.Subscribe(null).Subscriber;

        // While the watch was broken: "changed" was modified, "gone" deleted, "new" added.
        bed.Cache.Relisted([Entry("kept"), Entry("changed", "2"), Entry("new")]);

        Assert.That(Drain(subscriber), Is.EquivalentTo(new[] { (CatalogEventType.Modified, "changed"), (CatalogEventType.Added, "new"), (CatalogEventType.Deleted, "gone") }));
        Assert.That(bed.Feed.Get("kept"), Is.SameAs(kept), "an entry listed as it was is not republished");
    }

    [Test]
    public void A_relist_of_the_same_catalog_publishes_nothing()
    {
        using var bed = new CacheBed(T0);
        bed.Cache.Relisted([Entry("a"), Entry("b")]);
        var version = bed.Feed.Snapshot().Version;

        bed.Cache.Relisted([Entry("b"), Entry("a")]);

        Assert.That(bed.Feed.Snapshot().Version, Is.EqualTo(version));
    }

    [Test]
    public void The_first_relist_syncs_the_feed()
    {
        using var bed = new CacheBed(T0);
        Assert.That(bed.Feed.IsSynced, Is.False);

        bed.Cache.Relisted([]);

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
        bed.Cache.Relisted([Entry("a", "3"), Entry("b")]);

        var read = await bed.Cache.TryReadAsync(new Dictionary<string, string?> { ["a"] = "3", ["c"] = null }, TimeSpan.Zero, CancellationToken.None);
        var stale = await bed.Cache.TryReadAsync(new Dictionary<string, string?> { ["a"] = "4" }, TimeSpan.Zero, CancellationToken.None);
        var deleted = await bed.Cache.TryReadAsync(new Dictionary<string, string?> { ["b"] = null }, TimeSpan.Zero, CancellationToken.None);

        Assert.That(read?.Select(e => e.Name), Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(stale, Is.Null, "the mirror has not seen the write yet");
        Assert.That(deleted, Is.Null, "the mirror still holds the deleted entry");
    }
}
