using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using static AgentLens.Operator.Tests.Api.Search.SearchEntries;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>The query language: operators, phrases, prefixes and field terms; and every input it refuses, with what and where.</summary>
[TestFixture]
public sealed class SearchQueryTests
{
    private AgentSearchIndex index = null!;

    [OneTimeSetUp]
    public void Build() => index = Index(
        Agent("jira-bot", "Opens and triages Jira tickets", protocol: Protocol.Mcp, team: "platform", ns: "tools", tags: ["ticketing"],
            capabilities: [Tool("create_issue", "Create a Jira issue in a project", "project: the project key; summary: one line"), Tool("search_issues", "Search issues with JQL")]),
        Agent("invoice-translator", "Translates invoices into German and French", team: "finance", ns: "billing", tags: ["translation"],
            capabilities: [Skill("translate-invoice", "Translate an invoice document", ["i18n"], "Translate this invoice into German")]),
        Agent("weather", "Weather forecasts for any city", team: "platform", ns: "tools",
            capabilities: [Skill("forecast", "Forecast the weather for a city")]));

    [OneTimeTearDown]
    public void Dispose() => index.Dispose();

    [TestCase("jira AND ticket", new[] { "jira-bot" })]
    [TestCase("weather OR invoice", new[] { "invoice-translator", "weather" })]
    [TestCase("platform NOT jira", new[] { "weather" })]
    [TestCase("platform -jira", new[] { "weather" })]
    [TestCase("NOT jira", new[] { "invoice-translator", "weather" })]
    [TestCase("\"jira issue\"", new[] { "jira-bot" })]
    [TestCase("\"issue jira\"", new string[0])]
    [TestCase("forec*", new[] { "weather" })]
    [TestCase("forcast~", new[] { "weather" })]
    [TestCase("skill:translate", new[] { "invoice-translator" })]
    [TestCase("tool:create", new[] { "jira-bot" })]
    [TestCase("tool:forecast", new string[0])]
    [TestCase("tag:i18n", new[] { "invoice-translator" })]
    [TestCase("tag:ticketing", new[] { "jira-bot" })]
    [TestCase("team:finance", new[] { "invoice-translator" })]
    [TestCase("protocol:mcp", new[] { "jira-bot" })]
    [TestCase("name:weather", new[] { "weather" })]
    [TestCase("namespace:billing", new[] { "invoice-translator" })]
    [TestCase("input:summary", new[] { "jira-bot" })]
    [TestCase("example:german", new[] { "invoice-translator" })]
    [TestCase("Which agent can translate an invoice into German?", new[] { "invoice-translator" })]
    [TestCase("io.github.acme/jira", new[] { "jira-bot" })]
    public void Query_finds(string query, string[] expected)
    {
        Assert.That(index.Names(query).Order(StringComparer.Ordinal), Is.EqualTo(expected.Order(StringComparer.Ordinal)));
    }

    [Test]
    public void Structured_filters_narrow_the_matches()
    {
        var filter = new CatalogFilter { Namespace = "tools" };

        Assert.That(index.Names("platform OR invoice", filter).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "jira-bot", "weather" }));
        Assert.That(index.Names("invoice", new CatalogFilter { Protocol = "mcp" }), Is.Empty);
    }

    [Test]
    public void Total_counts_every_match_beyond_the_page()
    {
        var results = index.Search("platform OR invoice", CatalogFilter.All, 1);

        Assert.That((results.Total, results.Items.Count), Is.EqualTo((3, 1)));
    }

    [TestCase("", "the query is empty")]
    [TestCase("   ", "the query is empty")]
    [TestCase("the of and", "every word is a stop word")]
    [TestCase("*issue", "may not start with '*'")]
    [TestCase("owner:alice", "unknown field 'owner'")]
    [TestCase("\"jira issue", "the query ends inside a quote")]
    [TestCase("(jira OR", "ends too early")]
    [TestCase("jira AND", "ends too early")]
    [TestCase("name:[a TO z]", "ranges")]
    [TestCase("a\u0001b", "control character at column 2")]
    public void Bad_query_says_what_and_where(string query, string message)
    {
        var e = Assert.Throws<SearchQueryException>(() => index.Search(query, CatalogFilter.All, 10));

        Assert.That(e!.Message, Does.StartWith("q: ").And.Contain(message));
    }

    [Test]
    public void A_long_query_is_refused_by_its_length()
    {
        var e = Assert.Throws<SearchQueryException>(() => index.Search(new string('a', SearchQueryParser.MaxLength + 1), CatalogFilter.All, 10));

        Assert.That(e!.Message, Does.Contain($"at most {SearchQueryParser.MaxLength}"));
    }

    [Test]
    public void Too_many_clauses_are_refused()
    {
        var query = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"w{i}"));

        var e = Assert.Throws<SearchQueryException>(() => index.Search(query, CatalogFilter.All, 10));

        Assert.That(e!.Message, Does.Contain("too many terms"));
    }

    [Test]
    public void Hostile_text_is_not_repeated_in_the_error()
    {
        var e = Assert.Throws<SearchQueryException>(() => index.Search("<script>alert(1)</script>:x (", CatalogFilter.All, 10));

        Assert.That(e!.Message, Does.Not.Contain("<script>"));
    }

    // Letters no stemmer step takes off, so every entry's word is a term of its own.
    private const string Consonants = "bcdfghjklmnpqrtvwxz";

    [Test]
    public void A_prefix_expands_to_a_bounded_number_of_terms()
    {
        var many = Enumerable.Range(0, 300).Select(i => Agent($"agent-{i}", $"zeta{Consonants[i / 19 % 19]}{Consonants[i % 19]}k does things")).ToArray();
        using var big = Index(many);

        var results = big.Search("zeta*", CatalogFilter.All, 100);

        Assert.That(results.Total, Is.EqualTo(SearchQueryParser.MaxExpansions), "the best terms only, not a scan of them all");
    }
}
