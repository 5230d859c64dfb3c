using AgentLens.Operator.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// The catalog feed on its own, on a fake clock: it publishes exactly the differences it is told, numbers
/// them, keeps a bounded history, starts each subscriber from a snapshot, a replay or — from a version the
/// history no longer reaches — a snapshot marked too old, and cuts a subscriber that falls behind.
/// </summary>
[TestFixture]
public sealed class CatalogFeedTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    internal static StoredEntry Entry(string name, string resourceVersion = "1", string? json = null) => new()
    {
        Name = name,
        Namespace = "catalog",
        ResourceVersion = resourceVersion,
        IsPush = false,
        Json = json ?? $"{{\"name\":\"{name}\"}}",
    };

    private static (CatalogFeed Feed, FakeTimeProvider Clock) NewFeed(int historySize = 100, int buffer = 16, TimeSpan? historyAge = null)
    {
        var clock = new FakeTimeProvider(T0);
        return (new CatalogFeed(new CacheOptions { HistorySize = historySize, WatcherBuffer = buffer, HistoryAge = historyAge ?? TimeSpan.FromHours(1) }, clock), clock);
    }

    private static List<CatalogEvent> Drain(Subscriber subscriber)
    {
        var events = new List<CatalogEvent>();
        while (subscriber.Events.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    [Test]
    public void Put_and_remove_publish_only_what_changed()
    {
        var (feed, _) = NewFeed();
        using var subscriber = feed.Subscribe(null).Subscriber;
        var a = Entry("a");

        feed.Put(a);
        feed.Put(a);
        feed.Put(a with { });
        feed.Put(Entry("a", "2"));
        feed.Remove("a");
        feed.Remove("a");
        feed.Remove("never-there");

        var events = Drain(subscriber);
        Assert.That(events.Select(e => (e.Version, e.Type)), Is.EqualTo(new[] { (1L, CatalogEventType.Added), (2L, CatalogEventType.Modified), (3L, CatalogEventType.Deleted) }));
        Assert.That(events[1].Previous, Is.SameAs(a), "a change carries the entry before it");
        Assert.That(feed.Snapshot().Version, Is.EqualTo(3));
        Assert.That(feed.Get("a"), Is.Null);
    }

    [Test]
    public void Same_resource_version_with_other_content_is_a_change()
    {
        var (feed, _) = NewFeed();
        feed.Put(Entry("a", "1", "{\"v\":1}"));

        feed.Put(Entry("a", "1", "{\"v\":2}"));

        Assert.That(feed.Snapshot().Version, Is.EqualTo(2), "a Lease-derived entry keeps its resourceVersion and changes its JSON");
    }

    [Test]
    public void Each_entry_knows_the_version_it_was_published_at()
    {
        var (feed, _) = NewFeed();
        var a = Entry("a");
        var b = Entry("b");
        feed.Put(a);
        feed.Put(b);

        Assert.That((feed.VersionOf(a), feed.VersionOf(b), feed.VersionOf(Entry("c"))), Is.EqualTo((1L, 2L, 0L)));
    }

    [Test]
    public void Subscribing_without_a_version_starts_from_a_sorted_snapshot()
    {
        var (feed, _) = NewFeed();
        feed.Put(Entry("b"));
        feed.Put(Entry("a"));

        var start = feed.Subscribe(null);
        using var subscriber = start.Subscriber;

        Assert.That(start.Snapshot!.Value.Select(e => e.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That((start.Version, start.TooOld, start.Replay.Count), Is.EqualTo((2L, false, 0)));
    }

    [Test]
    public void Subscribing_from_a_version_the_history_holds_replays_what_followed()
    {
        var (feed, _) = NewFeed();
        feed.Put(Entry("a"));
        feed.Put(Entry("b"));
        feed.Put(Entry("c"));

        var start = feed.Subscribe(1);
        using var subscriber = start.Subscriber;
        var current = feed.Subscribe(3);
        using var currentSubscriber = current.Subscriber;

        Assert.That(start.Snapshot, Is.Null);
        Assert.That(start.Replay.Select(e => e.Entry.Name), Is.EqualTo(new[] { "b", "c" }));
        Assert.That((current.Snapshot, current.Replay.Count, current.TooOld), Is.EqualTo(((ImmutableArray<StoredEntry>?)null, 0, false)), "from the current version: nothing to replay");
    }

    [Test]
    public void Subscribing_from_beyond_the_history_is_too_old_and_gets_a_snapshot()
    {
        var (feed, _) = NewFeed(historySize: 2);
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            feed.Put(Entry(name));
        }

        var old = feed.Subscribe(1);
        using var oldSubscriber = old.Subscriber;
        var edge = feed.Subscribe(2);
        using var edgeSubscriber = edge.Subscriber;

        Assert.That((old.TooOld, old.Snapshot?.Length), Is.EqualTo((true, 4)), "events 2 and 3 are gone: a fresh snapshot, marked too old");
        Assert.That((edge.TooOld, edge.Replay.Select(e => e.Version)), Is.EqualTo((false, new[] { 3L, 4L })), "the history still holds everything after 2");
    }

    [Test]
    public void Subscribing_from_a_future_version_is_too_old()
    {
        var (feed, _) = NewFeed();
        feed.Put(Entry("a"));

        var start = feed.Subscribe(7);
        using var subscriber = start.Subscriber;

        Assert.That(start.TooOld, Is.True, "a version this feed never had (another run's) is not resumed");
    }

    [Test]
    public void History_ages_out_on_the_clock()
    {
        var (feed, clock) = NewFeed(historyAge: TimeSpan.FromMinutes(5));
        feed.Put(Entry("a"));
        feed.Put(Entry("b"));
        clock.Advance(TimeSpan.FromMinutes(6));
        feed.Put(Entry("c"));

        var start = feed.Subscribe(1);
        using var subscriber = start.Subscriber;

        Assert.That(start.TooOld, Is.True, "event 2 is older than the history's age");
    }

    [Test]
    public void A_subscriber_that_falls_behind_is_cut_and_the_others_go_on()
    {
        var (feed, _) = NewFeed(buffer: 2);
        using var slow = feed.Subscribe(null).Subscriber;
        using var reading = feed.Subscribe(null).Subscriber;

        for (var i = 0; i < 5; i++)
        {
            feed.Put(Entry($"e{i}"));
            Drain(reading);
        }

        Assert.That(slow.Overflowed.IsCancellationRequested, Is.True, "a full queue cuts its watcher");
        Assert.That(reading.Overflowed.IsCancellationRequested, Is.False, "nobody else is slowed or cut");
        Assert.That(Drain(slow), Has.Count.EqualTo(2), "the queue is bounded: nothing beyond its capacity is held for a cut watcher");
    }

    [Test]
    public void A_disposed_subscriber_leaves_the_feed()
    {
        var (feed, _) = NewFeed();
        var subscriber = feed.Subscribe(null).Subscriber;
        Assert.That(feed.Subscribers, Is.EqualTo(1));

        subscriber.Dispose();
        feed.Put(Entry("a"));

        Assert.That(feed.Subscribers, Is.Zero);
    }

    [Test]
    public async Task Readers_wait_for_the_first_sync_and_no_longer()
    {
        var (feed, _) = NewFeed();
        var waiting = feed.WaitSyncedAsync(CancellationToken.None);
        Assert.That(waiting.IsCompleted, Is.False);

        feed.MarkSynced();

        Assert.That(await waiting, Is.True);
        Assert.That(feed.IsSynced, Is.True);
    }
}
