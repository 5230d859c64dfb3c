using AgentLens.Operator.Api.Search;
using Lucene.Net.Analysis.TokenAttributes;
using static AgentLens.Operator.Tests.Api.Search.SearchEntries;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>The one analysis of names and prose: identifiers split and kept whole, English stems, case and accents folded.</summary>
[TestFixture]
public sealed class SearchAnalysisTests
{
    private static List<string> Tokens(string text)
    {
        using var analyzer = new SearchAnalyzer();
        using var stream = analyzer.GetTokenStream("description", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var tokens = new List<string>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            tokens.Add(term.ToString());
        }

        stream.End();
        return tokens;
    }

    [TestCase("create_jira_issue")]
    [TestCase("createJiraIssue")]
    [TestCase("jira-issue.create")]
    [TestCase("io.github.acme/jira-issues")]
    [TestCase("JIRA Issues")]
    public void Identifiers_split_into_their_words(string identifier)
    {
        Assert.That(Tokens(identifier), Does.Contain("jira").And.Contain("issu"));
    }

    [Test]
    public void An_identifier_is_also_kept_whole()
    {
        Assert.That(Tokens("createJiraIssue"), Does.Contain("createjiraissu"));
    }

    [Test]
    public void Prose_is_stemmed_and_stop_words_dropped()
    {
        Assert.That(Tokens("Translates the invoices into German"), Is.EqualTo(new[] { "translat", "invoic", "german" }));
        Assert.That(Tokens("translation"), Is.EqualTo(new[] { "translat" }));
    }

    [Test]
    public void Case_and_accents_fold()
    {
        Assert.That(Tokens("Übersetzung CAFÉ"), Is.EqualTo(Tokens("ubersetzung cafe")));
    }

    [TestCase("create_jira_issue")]
    [TestCase("createJiraIssue")]
    [TestCase("jira-issue.create")]
    [TestCase("io.github.acme/jira-issue")]
    public void Each_identifier_is_found_by_jira_issue(string toolName)
    {
        using var index = Index(Agent("tracker", "Work tracking", protocol: AgentLens.Operator.Domain.Protocol.Mcp, capabilities: Tool(toolName)), Agent("weather", "Forecasts the weather"));

        var results = index.Search("jira issue", CatalogFilter(), 10);

        Assert.That(results.Items.Select(h => h.Entry.Name), Is.EqualTo(new[] { "tracker" }));
        Assert.That(results.Items[0].Matches.Select(m => m.Name), Is.EqualTo(new[] { toolName }), "the tool that matched is named");
    }

    [Test]
    public void Stemming_finds_other_forms_of_a_word()
    {
        using var index = Index(Agent("translator", "Translation of documents between languages"));

        Assert.That(index.Names("translates documents"), Is.EqualTo(new[] { "translator" }));
    }

    private static AgentLens.Operator.Catalog.CatalogFilter CatalogFilter() => AgentLens.Operator.Catalog.CatalogFilter.All;
}
