using AgentLens.Operator.Api;

namespace AgentLens.Operator.Tests.Api;

/// <summary>Shares of the watch slots, as API Priority and Fairness gives each flow its share.</summary>
[TestFixture]
public sealed class WatchAdmissionTests
{
    private static WatchAdmission Admission(int max = 100) => new(new WatchShares(max, PerUser: 0.1, PerNamespace: 0.25, Reserve: 0.1));

    [Test]
    public void OneUser_GetsItsShare_ThenIsRefusedWithRetryAfter()
    {
        var admission = Admission();

        var admitted = Enumerable.Range(0, 20).Select(_ => admission.TryEnter("alice", ["team-a"])).ToList();

        Assert.That(admitted.Count(a => a.Lease is not null), Is.EqualTo(10));
        Assert.That(admitted.Last().Refusal, Does.Contain("alice"));
        Assert.That(admitted.Last().RetryAfterSeconds, Is.GreaterThan(0));
    }

    [Test]
    public void OneNamespace_GetsItsShare_WhateverTheUsers()
    {
        var admission = Admission();

        var admitted = Enumerable.Range(0, 40).Select(i => admission.TryEnter($"user-{i}", ["team-a"])).Count(a => a.Lease is not null);
        var other = admission.TryEnter("bob", ["team-b"]);

        Assert.That(admitted, Is.EqualTo(25));
        Assert.That(other.Lease, Is.Not.Null, "another namespace still has room");
    }

    [Test]
    public void TheReserve_IsForClusterWideReadersOnly()
    {
        var admission = Admission();
        var namespaced = Enumerable.Range(0, 200).Select(i => admission.TryEnter($"user-{i}", [$"ns-{i}"])).Count(a => a.Lease is not null);

        var admin = admission.TryEnter("admin", null);

        Assert.That(namespaced, Is.EqualTo(90));
        Assert.That(admin.Lease, Is.Not.Null);
        Assert.That(admission.Open, Is.EqualTo(91));
    }

    [Test]
    public void ALease_GivesItsSlotBackOnce()
    {
        var admission = Admission(max: 10);
        var first = admission.TryEnter("alice", ["team-a"]).Lease!;

        var refused = admission.TryEnter("alice", ["team-a"]);
        first.Dispose();
        first.Dispose();
        var again = admission.TryEnter("alice", ["team-a"]);

        Assert.That(refused.Lease, Is.Null);
        Assert.That(again.Lease, Is.Not.Null);
        Assert.That(admission.Open, Is.EqualTo(1));
    }

    [Test]
    public void AnUnknownUser_HasNoPerUserCap()
    {
        var admission = Admission();

        var admitted = Enumerable.Range(0, 100).Count(_ => admission.TryEnter(null, null).Lease is not null);

        Assert.That(admitted, Is.EqualTo(100), "--api-auth none: every watcher is the same nobody");
    }
}
