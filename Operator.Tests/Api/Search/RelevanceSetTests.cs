using AgentLens.Bench;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>The labelled set behind <c>make bench-search</c> (hack/bench/search) is big enough and sound.</summary>
[TestFixture]
public sealed class RelevanceSetTests
{
    private static readonly Lazy<SearchCorpus> Set = new(() => SearchRelevance.Load(Path.Combine(AppContext.BaseDirectory, "RelevanceSet")));

    [Test]
    public void Load_TheSet_HasAtLeast300EntriesAnd50QueriesOfBothKinds()
    {
        var set = Set.Value;

        Assert.That(set.Entries, Has.Count.GreaterThanOrEqualTo(300));
        Assert.That(set.Queries, Has.Count.GreaterThanOrEqualTo(50));
        Assert.That(set.Queries.Select(q => q.Kind).Distinct(), Is.EquivalentTo(new[] { "natural", "keyword" }));
    }

    [Test]
    public void Load_EveryCard_ParsesWithOurParsersIntoAnEntryWithSkillsOrTools()
    {
        var set = Set.Value;

        Assert.Multiple(() =>
        {
            foreach (var entry in set.Entries)
            {
                var kind = entry.Entry?.Spec.Protocol == Protocol.A2a ? CapabilityKinds.A2aSkill : CapabilityKinds.McpTool;
                Assert.That(entry.Entry?.Status.DisplayName, Is.Not.Null.And.Not.Empty, SearchCorpus.IdOf(entry));
                Assert.That(entry.Entry?.Status.Description, Is.Not.Null.And.Not.Empty, SearchCorpus.IdOf(entry));
                Assert.That(entry.Entry?.Status.Capabilities.Count(c => c.Kind == kind), Is.GreaterThan(0), SearchCorpus.IdOf(entry));
            }
        });
    }

    [Test]
    public void Load_Ids_AreUniqueAndEveryJudgedIdExists()
    {
        var set = Set.Value;
        var ids = set.Entries.Select(SearchCorpus.IdOf).ToList();

        Assert.That(ids, Is.Unique);
        Assert.That(set.Queries.Select(q => q.Id), Is.Unique);
        Assert.That(set.Queries.SelectMany(q => q.Judgments.Keys).Except(ids), Is.Empty);
    }

    [Test]
    public void Load_EveryQuery_HasAnExactAnswerAndGradesFrom1To3()
    {
        var set = Set.Value;

        Assert.That(set.Queries.Where(q => !q.Judgments.Values.Contains(3)).Select(q => q.Id), Is.Empty);
        Assert.That(set.Queries.SelectMany(q => q.Judgments.Values), Is.All.InRange(1, 3));
    }

    [Test]
    public void Load_TheSet_MixesA2aCardShapesAndMcpServers()
    {
        var set = Set.Value;
        var a2a = set.Entries.Where(e => e.Entry?.Spec.Protocol == Protocol.A2a).ToList();

        Assert.That(a2a.Select(e => e.Entry?.Status.ProtocolVersion).Distinct(), Is.SupersetOf(new[] { "0.3.0", "1.0" }));
        Assert.That(set.Entries.Count(e => e.Entry?.Spec.Protocol == Protocol.Mcp), Is.GreaterThanOrEqualTo(100));
    }
}
