using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

[TestFixture]
public sealed class StringPoolTests
{
    [Test]
    public void EqualStrings_GiveOneInstance()
    {
        var first = StringPool.Get(new string("team-a".AsSpan()));
        var second = StringPool.Get(new string("team-a".AsSpan()));

        Assert.That(ReferenceEquals(first, second), Is.True);
    }

    [Test]
    public void LongStrings_AreNotPooled()
    {
        var text = new string('x', StringPool.MaxLength + 1);

        Assert.That(ReferenceEquals(StringPool.Get(new string(text.AsSpan())), StringPool.Get(new string(text.AsSpan()))), Is.False);
    }
}
