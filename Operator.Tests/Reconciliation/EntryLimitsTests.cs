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

    [Test]
    public void Bound_KeepsOnlyHttpUrls_AndAFewIcons_WhateverTheStatusSays()
    {
        var status = new AgentStatus
        {
            RegistryName = new string('n', EntryLimits.MaxNameChars + 10),
            WebsiteUrl = "javascript:alert(1)",
            Icons = [.. Enumerable.Range(0, 20).Select(i => new Icon($"https://icons.example.com/{i}.png", "image/png", null)), new Icon("file:///etc/passwd", null, null)],
        };

        var bound = EntryLimits.Bound(status, 0, DateTimeOffset.UnixEpoch);

        Assert.That(bound.WebsiteUrl, Is.Null);
        Assert.That(bound.RegistryName, Has.Length.EqualTo(EntryLimits.MaxNameChars));
        Assert.That(bound.Icons.Select(i => i.Src), Is.EqualTo(Enumerable.Range(0, Icon.MaxPerEntry).Select(i => $"https://icons.example.com/{i}.png")));
    }
}
