using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

[TestFixture]
public sealed class LeaseLivenessTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private static StoredEntry Push(string? lease = "agent-lease")
    {
        var configMap = PushEntries.Build("agent");
        configMap.Metadata.ResourceVersion = "7";
        if (lease is not null)
        {
            configMap.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Lease] = lease };
        }

        return ConfigMapCatalogStore.Read(configMap);
    }

    private static LeaseState Lease(DateTimeOffset renewed, int seconds = 3) => new(renewed, seconds, T0.AddMinutes(-10));

    [Test]
    public void LeaseName_OnlyForPushEntriesThatNameOne()
    {
        Assert.That(LeaseLiveness.LeaseName(Push()), Is.EqualTo("agent-lease"));
        Assert.That(LeaseLiveness.LeaseName(Push(lease: null)), Is.Null);
        Assert.That(LeaseLiveness.LeaseName(Push() with { IsPush = false }), Is.Null, "only push entries follow a Lease");
    }

    [Test]
    public void RenewedLease_IsLive_WithinTheGrace()
    {
        Assert.That(LeaseLiveness.Of(Lease(T0), T0.AddSeconds(3), T0).Liveness, Is.EqualTo(Liveness.Live));
        Assert.That(LeaseLiveness.Of(Lease(T0), T0.AddSeconds(3) + LeaseLiveness.Grace, T0).Liveness, Is.EqualTo(Liveness.Live), "a little clock skew is forgiven");
        var (state, since) = LeaseLiveness.Of(Lease(T0), T0.AddSeconds(4.1), T0);
        Assert.That(state, Is.EqualTo(Liveness.Expired));
        Assert.That(since, Is.EqualTo(T0.AddSeconds(3)), "expired since renewTime + duration");
    }

    [Test]
    public void NoLease_IsMissing_SinceFirstSeen()
    {
        var (state, since) = LeaseLiveness.Of(null, T0.AddMinutes(1), T0);

        Assert.That(state, Is.EqualTo(Liveness.Missing));
        Assert.That(since, Is.EqualTo(T0));
    }

    [Test]
    public void Expired_IsShownOffline_WithTheReason_AndTheStoredEntryUntouched()
    {
        var raw = Push();

        var shown = LeaseLiveness.Apply(raw, "agent-lease", Liveness.Expired, T0, Lease(T0.AddSeconds(-3)), T0.AddSeconds(5), Retention)!;

        Assert.That(shown.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Offline));
        Assert.That(shown.Labels[Annotations.LifecycleLabel], Is.EqualTo("Offline"));
        var condition = shown.Entry.Status.Conditions.Single(c => c.Type == ConditionTypes.LeaseHeld);
        Assert.That((condition.Status, condition.Reason), Is.EqualTo((ConditionStatus.False, "LeaseExpired")));
        Assert.That(shown.Json, Does.Contain("\"LeaseExpired\""));
        Assert.That(shown.ResourceVersion, Is.EqualTo("7"));
        Assert.That(raw.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Active), "derived, never written back");
    }

    [Test]
    public void Live_IsShownAsWritten_AndARenewalAloneChangesNothingAReaderSees()
    {
        var first = LeaseLiveness.Apply(Push(), "agent-lease", Liveness.Live, null, Lease(T0), T0.AddSeconds(1), Retention)!;
        var later = LeaseLiveness.Apply(Push(), "agent-lease", Liveness.Live, null, Lease(T0.AddSeconds(2)), T0.AddSeconds(3), Retention)!;

        Assert.That(first.Entry!.Status.Lifecycle, Is.EqualTo(Lifecycle.Active));
        Assert.That(first.Entry.Status.Conditions.Single(c => c.Type == ConditionTypes.LeaseHeld).Status, Is.EqualTo(ConditionStatus.True));
        Assert.That(later.Json, Is.EqualTo(first.Json));
    }

    [Test]
    public void GoneLongerThanTheRetention_IsNoLongerListed()
    {
        Assert.That(LeaseLiveness.Apply(Push(), "agent-lease", Liveness.Missing, T0, null, T0 + Retention, Retention), Is.Not.Null);
        Assert.That(LeaseLiveness.Apply(Push(), "agent-lease", Liveness.Missing, T0, null, T0 + Retention + TimeSpan.FromSeconds(1), Retention), Is.Null);
    }

    [Test]
    public void NoLeaseNamed_IsShownExactlyAsStored()
    {
        var raw = Push(lease: null);

        Assert.That(LeaseLiveness.Apply(raw, "x", Liveness.None, null, null, T0, Retention), Is.SameAs(raw));
    }
}
