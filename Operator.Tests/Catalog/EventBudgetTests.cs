using AgentLens.Operator.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Catalog;

[TestFixture]
public sealed class EventBudgetTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    private static EventTarget In(string ns, string name) => new("Service", ns, name, null, null);

    [Test]
    public void ANamespace_HasItsOwnBudget()
    {
        var budget = new EventBudget(clock);

        var noisy = Enumerable.Range(0, 250).Select(i => budget.Admit(In("noisy", $"s{i}"), "InvalidPort", "bad")).ToList();
        var other = budget.Admit(In("quiet", "s"), "CapabilitiesChanged", "added");

        Assert.That(noisy.Count(d => d is null), Is.EqualTo(EventBudget.PerNamespacePerMinute));
        Assert.That(noisy.Where(d => d is not null), Has.All.EqualTo(EventDrop.Namespace));
        Assert.That(other, Is.Null);
    }

    [Test]
    public void TheOverallCap_StopsManyNamespacesTogether()
    {
        var budget = new EventBudget(clock);

        var all = Enumerable.Range(0, 30).SelectMany(n => Enumerable.Range(0, EventBudget.PerNamespacePerMinute).Select(i => budget.Admit(In($"ns{n}", $"s{i}"), "InvalidPort", "bad"))).ToList();

        Assert.That(all.Count(d => d is null), Is.EqualTo(EventBudget.GlobalPerMinute));
        Assert.That(all.Where(d => d is not null), Has.All.EqualTo(EventDrop.Global));
    }

    [Test]
    public void ANamespacesBudget_Refills()
    {
        var budget = new EventBudget(clock);
        for (var i = 0; i < EventBudget.PerNamespacePerMinute; i++)
        {
            budget.Admit(In("a", $"s{i}"), "InvalidPort", "bad");
        }

        Assert.That(budget.Admit(In("a", "late"), "InvalidPort", "bad"), Is.EqualTo(EventDrop.Namespace));
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.That(budget.Admit(In("a", "late"), "InvalidPort", "bad"), Is.Null, "20 a minute: one more every 3 s");
    }

    [Test]
    public void OnlyTheSameContent_IsARepeat()
    {
        var budget = new EventBudget(clock);
        var target = In("a", "weather");

        Assert.That(budget.Admit(target, "CapabilitiesChanged", "one"), Is.Null);
        Assert.That(budget.Admit(target, "CapabilitiesChanged", "two"), Is.Null);
        Assert.That(budget.Admit(target, "CapabilitiesChanged", "two"), Is.EqualTo(EventDrop.Repeat));
        clock.Advance(EventBudget.PerObjectInterval);
        Assert.That(budget.Admit(target, "CapabilitiesChanged", "two"), Is.Null);
    }

    [Test]
    public void State_ExpiresOnTheClock()
    {
        var budget = new EventBudget(clock);
        for (var n = 0; n < 100; n++)
        {
            budget.Admit(In($"ns{n}", "s"), "InvalidPort", "bad");
        }

        Assert.That(budget.Tracked, Is.EqualTo(200));
        clock.Advance(EventBudget.PerObjectInterval);
        budget.Admit(In("last", "s"), "InvalidPort", "bad");

        Assert.That(budget.Tracked, Is.EqualTo(2), "only the newest object and its namespace are held");
    }
}
