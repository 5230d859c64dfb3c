using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>When an MCP entry is introspected again: its TTL clamped to [min refresh, poll interval], notifications spaced and coalesced.</summary>
[TestFixture]
public sealed class FreshnessScheduleTests
{
    private const string Endpoint = "http://tools.agents.svc.cluster.local:8080/mcp";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private FreshnessSchedule schedule = null!;

    private static DiscoveredAgent Agent(string endpoint = Endpoint) => new()
    {
        Protocol = Protocol.Mcp,
        Endpoint = endpoint,
        CardUrls = [],
        Source = new SourceRef { Type = SourceType.Static, Name = "tools" },
    };

    private static McpListHints Hints(TimeSpan? ttl, bool listChanged = false) => new(Endpoint, ttl, listChanged, false);

    [SetUp]
    public void Create() => schedule = new FreshnessSchedule(new ReconcileOptions { PollInterval = TimeSpan.FromMinutes(5), McpMinRefresh = TimeSpan.FromSeconds(30) }, clock);

    [TestCase(null, 300)]
    [TestCase(0.0, 300)]
    [TestCase(-5.0, 300)]
    [TestCase(0.001, 30)]
    [TestCase(5.0, 30)]
    [TestCase(45.0, 45)]
    [TestCase(300.0, 300)]
    [TestCase(1e9, 300)]
    public void RefreshAfter_ClampsTheTtl_BetweenMinRefreshAndThePollInterval(double? ttlSeconds, int expectedSeconds) =>
        Assert.That(schedule.RefreshAfter(ttlSeconds is { } s ? TimeSpan.FromSeconds(s) : null), Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));

    [Test]
    public void AnEntryIsDueOneTtlAfterItsIntrospection_AndTakenOnce()
    {
        schedule.Introspected(Agent(), Hints(TimeSpan.FromSeconds(45)));

        clock.Advance(TimeSpan.FromSeconds(44));
        var early = schedule.TakeDue();
        clock.Advance(TimeSpan.FromSeconds(1));
        var due = schedule.TakeDue();
        var again = schedule.TakeDue();

        Assert.That(early.Due, Is.Empty);
        Assert.That(early.Next, Is.EqualTo(clock.GetUtcNow()));
        Assert.That(due.Due.Select(a => a.Endpoint), Is.EqualTo(new[] { Endpoint }));
        Assert.That(again.Due, Is.Empty, "in flight until its introspection reports");
        Assert.That(again.Next, Is.Null);
    }

    [Test]
    public void ATtlNoShorterThanThePollInterval_IsLeftToTheCycle()
    {
        schedule.Introspected(Agent(), Hints(null));
        schedule.Introspected(Agent("http://other:1/mcp"), Hints(TimeSpan.FromHours(2)));

        clock.Advance(TimeSpan.FromHours(3));

        Assert.That(schedule.TakeDue().Due, Is.Empty);
    }

    [Test]
    public void AFloodOfNotifications_IsOneIntrospection_AndOneMoreForThoseDuringIt()
    {
        schedule.Introspected(Agent(), Hints(null, listChanged: true));
        clock.Advance(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 1000; i++)
        {
            schedule.Notified(Endpoint);
        }

        var first = schedule.TakeDue();
        for (var i = 0; i < 1000; i++)
        {
            schedule.Notified(Endpoint);
        }

        schedule.Introspected(Agent(), Hints(null, listChanged: true));
        var during = schedule.TakeDue();
        clock.Advance(FreshnessSchedule.NotificationSpacing);
        var second = schedule.TakeDue();
        var third = schedule.TakeDue();

        Assert.That(first.Due, Has.Count.EqualTo(1));
        Assert.That(during.Due, Is.Empty, "spaced from the introspection that just ended");
        Assert.That(second.Due, Has.Count.EqualTo(1), "notifications during an introspection fold into one more");
        Assert.That(third.Due, Is.Empty);
    }

    [Test]
    public void ANotificationRightAfterAnIntrospection_WaitsForTheSpacing()
    {
        schedule.Introspected(Agent(), Hints(null, listChanged: true));

        schedule.Notified(Endpoint);
        var now = schedule.TakeDue();
        clock.Advance(FreshnessSchedule.NotificationSpacing);
        var later = schedule.TakeDue();

        Assert.That(now.Due, Is.Empty);
        Assert.That(later.Due, Has.Count.EqualTo(1));
    }

    [Test]
    public void NotificationsForUnknownEntries_AndForgottenOnes_AreIgnored()
    {
        schedule.Introspected(Agent(), Hints(TimeSpan.FromSeconds(45), listChanged: true));
        schedule.Retain(new HashSet<string>(StringComparer.Ordinal));

        Assert.That(schedule.Notified(Endpoint), Is.False);
        Assert.That(schedule.Notified("http://stranger:1/mcp"), Is.False);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(schedule.TakeDue().Due, Is.Empty);
    }
}
