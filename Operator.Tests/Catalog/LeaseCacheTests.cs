using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// The catalog cache's Lease liveness in-process, on a fake clock: what a renewal costs (counted in
/// derivations and publications, not time), what a Lease holder's nonsense does to it, and a failing
/// evaluation that the loop survives.
/// </summary>
[TestFixture]
public sealed class LeaseCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    internal static V1Lease Lease(string name, DateTime? renewed, int? seconds, DateTime? acquired = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, CreationTimestamp = T0.UtcDateTime.AddHours(-1) },
        Spec = new V1LeaseSpec { HolderIdentity = name, RenewTime = renewed, LeaseDurationSeconds = seconds, AcquireTime = acquired ?? T0.UtcDateTime.AddMinutes(-10) },
    };

    internal static StoredEntry Entry(string name, string lease)
    {
        var configMap = PushEntries.Build(name);
        configMap.Metadata.ResourceVersion = "5";
        configMap.Metadata.NamespaceProperty = "catalog";
        configMap.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Lease] = lease };
        return ConfigMapCatalogStore.Read(configMap);
    }

    private static Lifecycle? Shown(CacheBed bed, string name) => bed.Feed.Get(name)?.Entry?.Status.Lifecycle;

    private static CacheBed With100LeaseBearingEntries()
    {
        var bed = new CacheBed(T0);
        bed.ListLeases(Enumerable.Range(0, 100).Select(i => Lease($"lease-{i}", T0.UtcDateTime, 60)));
        bed.Cache.FollowLeases();
        for (var i = 0; i < 100; i++)
        {
            bed.Cache.Apply(Entry($"agent-{i}", $"lease-{i}"));
        }

        bed.Cache.Tick();
        return bed;
    }

    [Test]
    public void RenewingOneLease50Times_With100LeaseBearingEntries_DerivesNoEntryAndPublishesNothing()
    {
        using var bed = With100LeaseBearingEntries();
        var derivations = bed.Cache.LivenessDerivations;
        var version = bed.Feed.Snapshot().Version;

        const int renewals = 50;
        for (var i = 0; i < renewals; i++)
        {
            bed.Clock.Advance(TimeSpan.FromMilliseconds(200));
            bed.WatchLease(WatchEventKind.Modified, Lease("lease-0", bed.Clock.GetUtcNow().UtcDateTime, 60));
            bed.Cache.Tick();
        }

        Assert.That(bed.Cache.LivenessDerivations - derivations, Is.LessThanOrEqualTo(renewals), "O(renewals), not O(entries × renewals)");
        Assert.That(bed.Cache.LivenessDerivations - derivations, Is.Zero, "a renewal that changes no state re-derives nothing");
        Assert.That(bed.Feed.Snapshot().Version, Is.EqualTo(version), "nor publishes anything");
        Assert.That(Shown(bed, "agent-0"), Is.EqualTo(Lifecycle.Active));
    }

    [Test]
    public void ExpiryWithoutAnyEvent_IsNoticedByTheTimer_ForTheEntriesThatExpiredOnly()
    {
        using var bed = With100LeaseBearingEntries();
        // Every Lease but lease-0 is renewed for an hour; lease-0 stops at T0 (60 s).
        bed.ListLeases(Enumerable.Range(0, 100).Select(i => Lease($"lease-{i}", T0.UtcDateTime, i == 0 ? 60 : 3600)));
        bed.Cache.Tick();
        var derivations = bed.Cache.LivenessDerivations;
        var version = bed.Feed.Snapshot().Version;

        for (var i = 0; i < 4 * 62; i++)
        {
            bed.Clock.Advance(TimeSpan.FromMilliseconds(250));
            bed.Cache.Tick();
        }

        Assert.That(Shown(bed, "agent-0"), Is.EqualTo(Lifecycle.Offline));
        Assert.That(Shown(bed, "agent-1"), Is.EqualTo(Lifecycle.Active));
        Assert.That(bed.Feed.Snapshot().Version - version, Is.EqualTo(1), "one publication: agent-0 went Offline");
        Assert.That(bed.Cache.LivenessDerivations - derivations, Is.LessThanOrEqualTo(1), "248 ticks looked at one entry once");
    }

    [TestCase("9999-12-31T23:59:59Z", 10, "0001-01-01T00:00:00Z", "Active")]
    [TestCase("2026-11-26T08:00:00Z", int.MaxValue, null, "Active")]
    [TestCase("2026-11-26T08:00:00Z", int.MinValue, null, "Offline")]
    [TestCase("2026-11-26T08:00:00Z", 0, null, "Offline")]
    [TestCase("0001-01-01T00:00:00Z", 10, "9999-12-31T23:59:59Z", "Offline")]
    [TestCase("0001-01-01T00:00:00Z", int.MinValue, "0001-01-01T00:00:00Z", "Offline")]
    [TestCase("9999-12-31T23:59:59Z", int.MaxValue, "9999-12-31T23:59:59Z", "Active")]
    public void LeaseWithTimesAtTheEndsOfTheCalendar_DoesNotBreakTheCache(string renewed, int seconds, string? acquired, string expected)
    {
        using var bed = new CacheBed(T0);
        static DateTime Utc(string s) => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        bed.ListLeases([Lease("odd", Utc(renewed), seconds, acquired is null ? null : Utc(acquired))]);
        bed.Cache.FollowLeases();

        Assert.DoesNotThrow(() => bed.Cache.Apply(Entry("agent", "odd")));
        Assert.DoesNotThrow(() => bed.Cache.Tick());

        var shown = bed.Feed.Get("agent");
        Assert.That(shown?.Entry?.Status.Lifecycle.ToString(), Is.EqualTo(expected), shown?.Json);
        Assert.DoesNotThrow(() => CatalogJson.Deserialize(shown!.Json!), "what is shown reads back");
        if (expected == "Active")
        {
            // A renewal the holder dates in the future counts from when it was seen, not from then.
            bed.Clock.Advance(TimeSpan.FromSeconds(12));
            bed.Cache.Tick();
            Assert.That(Shown(bed, "agent"), Is.EqualTo(seconds > 60 ? Lifecycle.Active : Lifecycle.Offline));
        }
    }

    [Test]
    public async Task LivenessLoopThatFails_IsLoggedCountedAndRestarted()
    {
        using var bed = new CacheBed(T0);
        var calls = 0;
        bed.Events.Setup(e => e.RecordAsync(It.IsAny<EventTarget>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns(() => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("injected") : Task.CompletedTask);
        long failures = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "agentlens_catalog_loop_failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();
        bed.ListLeases([Lease("l", T0.UtcDateTime, 3)]);
        bed.Cache.FollowLeases();
        bed.Cache.Apply(Entry("agent", "l"));
        using var stop = new CancellationTokenSource();
        var loop = bed.Cache.RunLivenessAsync(stop.Token);

        // The expiry's Event throws out of the first evaluation; the loop goes on and shows the entry Offline.
        var bound = Stopwatch.StartNew();
        while (Shown(bed, "agent") != Lifecycle.Offline && bound.Elapsed < TimeSpan.FromSeconds(20))
        {
            bed.Clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5);
        }

        Assert.That(Shown(bed, "agent"), Is.EqualTo(Lifecycle.Offline), "the loop survived the failure");
        Assert.That(loop.IsFaulted, Is.False);
        Assert.That(Interlocked.Read(ref failures), Is.EqualTo(1), "counted");
        Assert.That(bed.Logs.Lines, Has.Some.Contains("InvalidOperationException"), "logged");
        await stop.CancelAsync();
        await loop;
    }

    [Test]
    public void LeaseEventWhoseEvaluationFails_DoesNotEscapeIntoTheLeaseWatch_AndIsRetriedByTheTimer()
    {
        using var bed = new CacheBed(T0);
        var calls = 0;
        bed.Events.Setup(e => e.RecordAsync(It.IsAny<EventTarget>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns(() => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("injected") : Task.CompletedTask);
        bed.ListLeases([Lease("l", T0.UtcDateTime, 30)]);
        bed.Cache.FollowLeases();
        bed.Cache.Apply(Entry("agent", "l"));

        Assert.DoesNotThrow(() => bed.WatchLease(WatchEventKind.Deleted, Lease("l", T0.UtcDateTime, 30)));
        for (var i = 0; i < 8; i++)
        {
            bed.Clock.Advance(TimeSpan.FromMilliseconds(250));
            bed.Cache.Tick();
        }

        Assert.That(Shown(bed, "agent"), Is.EqualTo(Lifecycle.Offline));
        Assert.That(bed.Feed.Get("agent")!.Json, Does.Contain("LeaseMissing"));
        Assert.That(bed.Logs.Lines, Has.Some.Contains("InvalidOperationException"));
    }
}
