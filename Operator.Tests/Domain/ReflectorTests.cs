using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Domain;

/// <summary>The one list/watch engine on a hand-written list/watch and a fake clock.</summary>
[TestFixture]
public sealed partial class ReflectorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private sealed class Bed : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Channel<ListWatchChange<Item>> changes = Channel.CreateUnbounded<ListWatchChange<Item>>();
        private readonly MeterListener listener = new();
        private readonly TestMeterFactory meters = new();
        private readonly Metrics metrics;
        private long consumerFailures;

        public Bed(Action<ListWatchChange<Item>>? consumer = null, int seed = 19)
        {
            metrics = new Metrics(meters);
            listener.InstrumentPublished = (instrument, l) =>
            {
                // Only this bed's meter: other tests' Metrics publish the same names.
                if (instrument.Name == "agentlens_watch_consumer_failures" && meters.Created(instrument.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref consumerFailures, value));
            listener.Start();
            Reflector = new Reflector<Item>(Fake, change =>
            {
                Order.Enqueue(change.Key.Name);
                changes.Writer.TryWrite(change);
                consumer?.Invoke(change);
            }, Clock, metrics, Logs.CreateLogger("reflector"), () => Order.Enqueue("(synced)"), new Random(seed));
        }

        public FakeListWatch Fake { get; } = new();

        /// <summary>What the consumer was told, by key, and "(synced)" where the engine said the first list was complete.</summary>
        public ConcurrentQueue<string> Order { get; } = new();

        public FakeTimeProvider Clock { get; } = new();

        public CapturedLogs Logs { get; } = new();

        public Reflector<Item> Reflector { get; }

        public Task? Running { get; private set; }

        public long ConsumerFailures => Interlocked.Read(ref consumerFailures);

        public void Start() => Running = Task.Run(() => Reflector.RunAsync(stop.Token));

        public async Task<ListWatchChange<Item>> NextAsync()
        {
            using var bound = new CancellationTokenSource(Bound);
            return await changes.Reader.ReadAsync(bound.Token);
        }

        /// <summary>The next <paramref name="count"/> changes.</summary>
        public async Task<List<ListWatchChange<Item>>> NextAsync(int count)
        {
            var got = new List<ListWatchChange<Item>>();
            for (var i = 0; i < count; i++)
            {
                got.Add(await NextAsync());
            }

            return got;
        }

        public bool NothingMoreTold => !changes.Reader.TryPeek(out _);

        /// <summary>The delays the engine said it would wait, in order.</summary>
        public List<double> Delays() =>
            [.. Logs.Lines.Select(l => DelayPattern().Match(l)).Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.CurrentCulture))];

        /// <summary>Moves the clock on by each announced delay until the engine has made <paramref name="calls"/> list calls.</summary>
        public async Task AdvanceUntilListCallsAsync(int calls)
        {
            var deadline = DateTime.UtcNow + Bound;
            while (Fake.ListCalls.Count < calls)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the engine made {Fake.ListCalls.Count} list calls, not {calls}");
                var delays = Delays();
                Clock.Advance(TimeSpan.FromSeconds(delays.Count == 0 ? 0.1 : delays[^1]));
                await Task.Delay(10);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            if (Running is not null)
            {
                await Running.WaitAsync(Bound);
            }

            listener.Dispose();
            meters.Dispose();
            stop.Dispose();
        }
    }

    [GeneratedRegex(@"trying again in ([0-9.,]+)s")]
    private static partial Regex DelayPattern();

    private static async Task<(Bed Bed, FakeWatch<Item> Watch)> SyncedAsync(params string[] names)
    {
        var bed = new Bed();
        foreach (var name in names)
        {
            bed.Fake.Put(name, "1");
        }

        bed.Start();
        await bed.NextAsync(names.Length);
        await bed.Reflector.Synced.WaitAsync(Bound);
        return (bed, await bed.Fake.NextWatchAsync());
    }

    [Test]
    public async Task FirstList_IsPaged_EveryObjectToldOnceAsInitial_ThenSynced_ThenWatchedFromTheListsVersion()
    {
        await using var bed = new Bed();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            bed.Fake.Put(name, "1");
        }

        Assert.That(bed.Reflector.Synced.IsCompleted, Is.False);
        bed.Start();
        var told = await bed.NextAsync(5);
        var watch = await bed.Fake.NextWatchAsync();

        Assert.That(bed.Fake.ListCalls, Is.EqualTo(new string?[] { null, "2", "4" }), "three pages of two");
        Assert.That(told.Select(c => (c.Kind, c.Key.Name, c.Initial)), Is.EqualTo("abcde".Select(n => (WatchEventKind.Added, n.ToString(), true))));
        Assert.That(bed.Reflector.Synced.IsCompletedSuccessfully, Is.True);
        Assert.That(watch.From, Is.EqualTo("100"));
    }

    [Test]
    public async Task SyncedCallback_ComesAfterTheFirstListsLastChange_BeforeAnyWatchEvent_AndOnlyOnce()
    {
        var (bed, watch) = await SyncedAsync("a", "b");
        await using var _ = bed;

        // The watch's first event can be told before a continuation of Synced has run; the callback cannot.
        bed.Fake.Put("a", "101");
        watch.Send(WatchEventKind.Modified, "a", "101");
        watch.Bookmark("102");
        watch.Break(new ResourceExpiredException("410 Gone"));
        bed.Fake.Put("c", "1");
        await bed.NextAsync(2);
        await bed.Fake.NextWatchAsync();

        Assert.That(bed.Order, Is.EqualTo(new[] { "a", "b", "(synced)", "a", "c" }), "a relist is not a second sync");
    }

    [Test]
    public async Task WatchEvents_AreTold_AsNews()
    {
        var (bed, watch) = await SyncedAsync("a", "b");
        await using var _ = bed;

        watch.Send(WatchEventKind.Added, "c", "101");
        watch.Send(WatchEventKind.Modified, "a", "102");
        watch.Send(WatchEventKind.Deleted, "b", "103");
        var told = await bed.NextAsync(3);

        Assert.That(told.Select(c => (c.Kind, c.Key.Name, c.Object?.Version, c.Initial)), Is.EqualTo(new[]
        {
            (WatchEventKind.Added, "c", (string?)"101", false), (WatchEventKind.Modified, "a", "102", false), (WatchEventKind.Deleted, "b", "103", false),
        }));
    }

    [Test]
    public async Task EndedWatch_IsResumedFromTheLastVersion_ABookmarkIncluded_WithoutAList()
    {
        var (bed, watch) = await SyncedAsync("a");
        await using var _ = bed;

        watch.Send(WatchEventKind.Modified, "a", "105");
        watch.Bookmark("120");
        watch.End();
        await bed.NextAsync();
        var resumed = await bed.Fake.NextWatchAsync();

        Assert.That(resumed.From, Is.EqualTo("120"), "the bookmark moved the version on");
        Assert.That(bed.Fake.ListCalls, Has.Count.EqualTo(1), "no relist");
        Assert.That(bed.NothingMoreTold, Is.True, "the bookmark itself is not told");
    }

    [Test]
    public async Task BrokenWatch_RelistsAfterTheBackoff_TellingOnlyWhatChanged()
    {
        var (bed, watch) = await SyncedAsync("a", "b");
        await using var _ = bed;

        // An API server restart: the connection breaks; meanwhile b changed and c appeared.
        bed.Fake.Put("b", "2");
        bed.Fake.Put("c", "1");
        bed.Fake.ServerVersion = "300";
        watch.Break(new HttpRequestException("connection reset"));
        var next = Task.Run(bed.Fake.NextWatchAsync);
        while (!next.IsCompleted)
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(10));
        }

        var told = await bed.NextAsync(2);
        Assert.That(told.Select(c => (c.Kind, c.Key.Name, c.Initial)), Is.EquivalentTo(new[]
        {
            (WatchEventKind.Modified, "b", false), (WatchEventKind.Added, "c", false),
        }));
        Assert.That((await next).From, Is.EqualTo("300"), "watched from the new list's version, not resumed");
        Assert.That(bed.Fake.ListCalls.Count(t => t is null), Is.EqualTo(2));
        Assert.That(bed.NothingMoreTold, Is.True, "a, unchanged, is not told again");
    }

    [Test]
    public async Task ExpiredWatch_Relists_AndTellsExactlyWhatWasMissed()
    {
        var (bed, watch) = await SyncedAsync("a", "b", "c");
        await using var _ = bed;

        // While the watch was gone: b deleted, c modified, d created; a unchanged.
        bed.Fake.Remove("b");
        bed.Fake.Put("c", "2");
        bed.Fake.Put("d", "1");
        bed.Fake.ServerVersion = "200";
        watch.Bookmark("150");
        watch.Break(new ResourceExpiredException("410 Gone"));
        var told = await bed.NextAsync(3);
        var next = await bed.Fake.NextWatchAsync();

        Assert.That(told.Select(c => (c.Kind, c.Key.Name, c.Initial)), Is.EquivalentTo(new[]
        {
            (WatchEventKind.Modified, "c", false), (WatchEventKind.Added, "d", false), (WatchEventKind.Deleted, "b", false),
        }));
        Assert.That(told.Single(c => c.Kind == WatchEventKind.Deleted).Object, Is.Null, "a relist knows only the key of what is gone");
        Assert.That(bed.NothingMoreTold, Is.True, "a, unchanged, is not told again");
        Assert.That(next.From, Is.EqualTo("200"), "watched from the new list's version");
        Assert.That(bed.Fake.ListCalls.Count(t => t is null), Is.EqualTo(2));
    }

    [Test]
    public async Task ResumedWatchThatIsExpired_RelistsAtOnce_WithoutAnotherBackoff()
    {
        var (bed, watch) = await SyncedAsync("a");
        await using var _ = bed;

        // The server ended the watch after a while; the resumed one finds the version gone from its history.
        watch.Bookmark("110");
        watch.End();
        var resumed = await bed.Fake.NextWatchAsync();
        bed.Fake.Put("b", "1");
        bed.Fake.ServerVersion = "300";
        resumed.Break(new ResourceExpiredException("410 Gone"));
        var told = await bed.NextAsync();
        var next = await bed.Fake.NextWatchAsync();

        Assert.That((told.Kind, told.Key.Name), Is.EqualTo((WatchEventKind.Added, "b")), "relisted with the clock standing still");
        Assert.That(next.From, Is.EqualTo("300"));
    }

    [Test]
    public async Task ExpiredContinueToken_RestartsTheList_NothingToldTwice()
    {
        await using var bed = new Bed();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            bed.Fake.Put(name, "1");
        }

        bed.Fake.ExpireNextContinue = true;
        bed.Start();
        var told = await bed.NextAsync(5);
        await bed.Fake.NextWatchAsync();

        Assert.That(bed.Fake.ListCalls, Is.EqualTo(new string?[] { null, "2", null, "2", "4" }));
        Assert.That(told.Select(c => c.Key.Name), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
        Assert.That(bed.NothingMoreTold, Is.True);
    }

    [Test]
    public async Task FailingLists_BackOffWithJitter_DoublingFromHalfASecond_UpTo30Seconds()
    {
        await using var bed = new Bed();
        bed.Fake.FailLists(9);
        bed.Start();
        await bed.AdvanceUntilListCallsAsync(10);
        await bed.Fake.NextWatchAsync();

        var delays = bed.Delays();
        Assert.That(delays, Has.Count.EqualTo(9));
        double[] bases = [0.5, 1, 2, 4, 8, 16, 30, 30, 30];
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.That(delays[i], Is.InRange(bases[i] * 0.75, Math.Min(bases[i] * 1.25, 30)), $"delay {i}: {string.Join(", ", delays)}");
        }

        Assert.That(delays.Zip(bases).Count(p => Math.Abs(p.First - p.Second) > 0.01), Is.GreaterThan(4), $"jittered: {string.Join(", ", delays)}");
    }

    [Test]
    public async Task Backoff_StartsAgainAfterAHealthyWatch()
    {
        await using var bed = new Bed();
        bed.Fake.FailLists(4);
        bed.Start();
        await bed.AdvanceUntilListCallsAsync(5);
        var watch = await bed.Fake.NextWatchAsync();
        Assert.That(bed.Delays().Last(), Is.GreaterThan(3), "backed off to 4 s (±25 %)");

        watch.Bookmark("101");
        watch.Break(new HttpRequestException("connection reset"));
        var deadline = DateTime.UtcNow + Bound;
        while (bed.Delays().Count < 5)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline));
            await Task.Delay(10);
        }

        Assert.That(bed.Delays().Last(), Is.InRange(0.375, 0.625), "after a healthy watch, the first delay again");
    }

    [Test]
    public async Task WatchThatEndsAtOnce_BacksOff_InsteadOfAskingAgainAtOnce()
    {
        var (bed, watch) = await SyncedAsync("a");
        await using var _ = bed;

        watch.End();
        var deadline = DateTime.UtcNow + Bound;
        while (bed.Delays().Count < 1)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline));
            await Task.Delay(10);
        }

        Assert.That(bed.Fake.HasPendingWatch, Is.False, "no new watch before the clock moves");
        Assert.That(bed.Logs.Lines, Has.Some.Contains("ended at once"));
    }

    [Test]
    public async Task ConsumerException_IsLoggedAndCounted_AndTheWatchGoesOnWithoutARelist()
    {
        await using var bed = new Bed(change =>
        {
            if (change.Key.Name == "bad")
            {
                throw new InvalidOperationException("consumer bug");
            }
        });
        bed.Fake.Put("bad", "1");
        bed.Fake.Put("good", "1");
        bed.Start();
        await bed.NextAsync(2);
        var watch = await bed.Fake.NextWatchAsync();

        watch.Send(WatchEventKind.Modified, "bad", "101");
        watch.Send(WatchEventKind.Modified, "good", "102");
        var told = await bed.NextAsync(2);

        Assert.That(told.Select(c => c.Key.Name), Is.EqualTo(new[] { "bad", "good" }));
        Assert.That(bed.Reflector.Synced.IsCompletedSuccessfully, Is.True);
        Assert.That(bed.ConsumerFailures, Is.EqualTo(2));
        Assert.That(bed.Logs.Lines.Count(l => l.Contains("consumer failed on bad", StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(bed.Fake.ListCalls, Has.Count.EqualTo(1), "no relist");
        Assert.That(bed.Fake.WatchCalls, Has.Count.EqualTo(1), "the same watch goes on");
    }

    [Test]
    public async Task Cancellation_EndsTheRunCleanly()
    {
        var (bed, _) = await SyncedAsync("a");
        var running = bed.Running!;

        await bed.DisposeAsync();

        Assert.That(running.IsCompletedSuccessfully, Is.True);
    }
}
