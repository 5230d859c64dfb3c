using AgentLens.Operator.Api.Search;
using Lucene.Net.Search;
using static AgentLens.Operator.Tests.Api.Search.SearchEntries;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>The query side's vocabulary and ranking: abbreviations, the words of a question, and the whole-query phrase.</summary>
[TestFixture]
public sealed class SearchVocabularyTests
{
    [Test]
    public void An_abbreviation_finds_the_spelled_out_word()
    {
        using var index = Index(Agent("cluster", "Kubernetes workload health"), Agent("notes", "Keeps notes"));

        Assert.That(index.Names("k8s"), Is.EqualTo(new[] { "cluster" }));
    }

    [Test]
    public void A_spelled_out_word_finds_the_abbreviation()
    {
        using var index = Index(Agent("store", "Backs up every db nightly"), Agent("notes", "Keeps notes"));

        Assert.That(index.Names("database"), Is.EqualTo(new[] { "store" }));
    }

    [Test]
    public void The_words_of_a_question_do_not_match_on_their_own()
    {
        using var index = Index(Agent("translator", "Translates text"), Agent("helper", "An agent tool server that can help you"));

        Assert.That(index.Names("which agent can help me translate?"), Is.EqualTo(new[] { "translator" }));
    }

    [Test]
    public void A_query_of_question_words_alone_is_taken_at_its_word()
    {
        using var index = Index(Agent("translator", "Translates text"), Agent("helper", "An agent tool server that can help you"));

        Assert.That(index.Names("agent"), Is.EqualTo(new[] { "helper" }));
    }

    [Test]
    public void Free_text_adds_the_whole_query_as_a_sloppy_phrase()
    {
        using var analyzer = SearchAnalyzer.ForQuery();

        var query = SearchQueryParser.Parse("open jira ticket", analyzer);

        var phrase = ((BooleanQuery)query).Clauses.Single(c => c.Occur == Occur.SHOULD).Query;
        var phrases = ((BooleanQuery)phrase).Clauses.Select(c => c.Query).OfType<PhraseQuery>().ToList();
        Assert.That(phrases, Is.Not.Empty);
        Assert.That(phrases.Select(p => p.Slop), Is.All.EqualTo(SearchQueryParser.PhraseSlop));
    }

    [Test]
    public void Adjacent_words_outrank_the_same_words_apart()
    {
        using var index = Index(
            Agent("apart", "Ticket triage; mirrors of Jira boards, read-only; open hours"),
            Agent("together", "Boards: mirrors, triage, read-only hours; open Jira ticket"));

        Assert.That(index.Names("open jira ticket"), Is.EqualTo(new[] { "together", "apart" }));
    }

    [Test]
    public void A_query_with_operators_gets_no_phrase()
    {
        using var analyzer = SearchAnalyzer.ForQuery();

        var query = SearchQueryParser.Parse("jira AND ticket", analyzer);

        var all = new List<Query>();
        Collect(query, all);
        Assert.That(all.OfType<PhraseQuery>(), Is.Empty);
    }

    private static void Collect(Query query, List<Query> all)
    {
        all.Add(query);
        if (query is BooleanQuery b)
        {
            foreach (var clause in b.Clauses)
            {
                Collect(clause.Query, all);
            }
        }
    }
}
