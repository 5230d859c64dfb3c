using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

[TestFixture]
public sealed class DurationTests
{
    [TestCase("250ms", 250)]
    [TestCase("30s", 30_000)]
    [TestCase("5m", 300_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase("00:05:00", 300_000)]
    public void TryParse_ReadsKubernetesStyleDurations(string text, int milliseconds)
    {
        Assert.That(Duration.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("")]
    [TestCase("5")]
    [TestCase("five minutes")]
    [TestCase("-5s")]
    [TestCase("5d")]
    public void TryParse_RejectsOtherText(string text) => Assert.That(Duration.TryParse(text, out _), Is.False);
}
