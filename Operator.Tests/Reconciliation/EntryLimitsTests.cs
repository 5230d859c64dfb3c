using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;

namespace AgentLens.Operator.Tests.Reconciliation;

[TestFixture]
public sealed class EntryLimitsTests
{
    [Test]
    public void Bound_KeepsAToolsParametersUpToTheirOwnCap_AndCapsOtherProperties()
    {
        var tool = new Capability
        {
            Kind = CapabilityKinds.McpTool,
            Name = "t",
            Properties = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
            {
                [CapabilityProperties.Parameters] = new string('p', CapabilityLimits.MaxParametersChars + 10),
                ["title"] = new string('t', CapabilityLimits.MaxParametersChars),
            }),
        };

        var bound = EntryLimits.Bound(tool);

        Assert.That(bound.Properties[CapabilityProperties.Parameters], Has.Length.EqualTo(CapabilityLimits.MaxParametersChars));
        Assert.That(bound.Properties["title"], Has.Length.EqualTo(CapabilityLimits.MaxPropertyChars));
    }
}
