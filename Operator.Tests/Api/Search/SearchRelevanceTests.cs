using AgentLens.Bench;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>The bench's scoring arithmetic on hand-computed examples, and its substring baseline.</summary>
[TestFixture]
public sealed class SearchRelevanceTests
{
    private string dir = "";

    [SetUp]
    public void SetUp() => dir = Directory.CreateTempSubdirectory("relevance-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(dir, recursive: true);

    [Test]
    public void Evaluate_HandComputedExample_GivesGradedNdcgMrrAndRecall()
    {
        // q1: a=3, b=2, c=1 ranked x, b, a, y, c.
        //   DCG = 3/log2(3) + 7/log2(4) + 1/log2(6) = 5.779643; ideal = 7 + 3/log2(3) + 1/log2(4) = 9.392789 → 0.615328.
        //   MRR: b (grade 2) at rank 2 → 0.5. Recall: a and b in the first ten → 1.
        // q2: d=3, e=2 ranked e, e (counted once), f1..f9, d (11th, past the cut-off).
        //   DCG = 3; ideal = 7 + 3/log2(3) = 8.892789 → 0.337352. MRR 1. Recall 1/2.
        var corpus = new SearchCorpus([],
        [
            new RelevanceQuery("q1", "one", "natural", new Dictionary<string, int> { ["a"] = 3, ["b"] = 2, ["c"] = 1 }),
            new RelevanceQuery("q2", "two", "keyword", new Dictionary<string, int> { ["d"] = 3, ["e"] = 2 }),
        ]);
        string[] two = ["e", "e", .. Enumerable.Range(1, 9).Select(i => $"f{i}"), "d"];

        var scores = SearchRelevance.Evaluate(corpus, q => q == "one" ? ["x", "b", "a", "y", "c"] : two);

        Assert.That(scores.Queries[0].Ndcg5, Is.EqualTo(0.615328).Within(1e-6));
        Assert.That(scores.Queries[1].Ndcg5, Is.EqualTo(0.337352).Within(1e-6));
        Assert.That(scores.Ndcg5, Is.EqualTo(0.476340).Within(1e-6));
        Assert.That(scores.Queries.Select(q => q.Mrr10), Is.EqualTo(new[] { 0.5, 1.0 }));
        Assert.That(scores.Mrr10, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(scores.Queries.Select(q => q.Recall10), Is.EqualTo(new[] { 1.0, 0.5 }));
        Assert.That(scores.Recall10, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(scores.Queries[1].Top5, Is.EqualTo(new[] { "e", "f1", "f2", "f3", "f4" }));
        Assert.That(scores.Worst(1).Single().Id, Is.EqualTo("q2"));
    }

    [Test]
    public void Evaluate_OnlyRelatedResults_ScoresNoHitForMrrAndRecall()
    {
        var corpus = new SearchCorpus([], [new RelevanceQuery("q", "q", "keyword", new Dictionary<string, int> { ["a"] = 3, ["r"] = 1 })]);

        var scores = SearchRelevance.Evaluate(corpus, _ => ["r"]);

        // r is related (gain 1 at rank 1) but not an answer: nDCG = 1 / (7 + 1/log2(3)) = 0.131046; MRR and recall find nothing.
        Assert.That(scores.Ndcg5, Is.EqualTo(0.131046).Within(1e-6));
        Assert.That(scores.Mrr10, Is.Zero);
        Assert.That(scores.Recall10, Is.Zero);
    }

    [Test]
    public void Substring_MatchesTheWholeQueryOnNameOrDescriptionIgnoringCase_InNameOrder()
    {
        Write(
            """
            [
             {"namespace": "b", "name": "zeta", "protocol": "mcp", "card": {"serverInfo": {"name": "io.example/zeta"}, "description": "Opens JIRA issues.",
              "tools": [{"name": "search", "description": "Search a wiki"}]}},
             {"namespace": "a", "name": "alpha", "protocol": "a2a", "card": {"protocolVersion": "0.3.0", "name": "Alpha", "description": "Files Jira issues for you.",
              "url": "http://alpha.a.svc:8080/a2a", "skills": [{"id": "s", "name": "S", "description": "nothing"}]}},
             {"namespace": "a", "name": "wiki-search", "protocol": "a2a", "card": {"protocolVersion": "0.3.0", "name": "Wiki", "description": "Issues of the jira magazine",
              "url": "http://wiki.a.svc:8080/a2a", "skills": [{"id": "jira issues", "name": "S", "description": "a skill only"}]}}
            ]
            """,
            """[{"id": "q", "text": "jira issues", "kind": "keyword", "judgments": {"b/zeta": 3}}]""");
        var corpus = SearchRelevance.Load(dir);

        Assert.That(SearchRelevance.Substring(corpus, " Jira Issues "), Is.EqualTo(new[] { "a/alpha", "b/zeta" }));
        Assert.That(SearchRelevance.Substring(corpus, "search"), Is.EqualTo(new[] { "a/wiki-search" }));
        Assert.That(SearchRelevance.Substring(corpus, "issues jira"), Is.Empty);
    }

    [Test]
    public void Load_JudgmentOfAnUnknownId_ThrowsNamingQueryAndId()
    {
        Write("""[{"namespace": "a", "name": "x", "protocol": "mcp", "card": {"name": "x"}}]""",
            """[{"id": "q7", "text": "t", "kind": "natural", "judgments": {"a/missing": 3}}]""");

        var e = Assert.Throws<InvalidDataException>(() => SearchRelevance.Load(dir));

        Assert.That(e!.Message, Does.Contain("q7").And.Contain("a/missing"));
    }

    [Test]
    public void Load_ACardOurParsersRefuse_ThrowsNamingTheEntry()
    {
        Write("""[{"namespace": "a", "name": "x", "protocol": "a2a", "card": {"description": "no name"}}]""", "[]");

        var e = Assert.Throws<InvalidDataException>(() => SearchRelevance.Load(dir));

        Assert.That(e!.Message, Does.Contain("a/x").And.Contain("MissingField"));
    }

    private void Write(string corpus, string queries)
    {
        File.WriteAllText(Path.Combine(dir, "corpus.json"), corpus);
        File.WriteAllText(Path.Combine(dir, "queries.json"), queries);
    }
}
