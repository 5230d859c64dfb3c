using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using static AgentLens.Operator.Tests.Api.Search.SearchEntries;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>Ranking on a small fixed set: names over descriptions, which capability matched, ties, and lifecycles.</summary>
[TestFixture]
public sealed class SearchRankingTests
{
    [Test]
    public void An_exact_name_outranks_a_mention_in_a_description()
    {
        using var index = Index(
            Agent("notes", "Keeps notes; can also forward them to the calendar"),
            Agent("calendar", "Books meetings"),
            Agent("mailer", "Sends mail", capabilities: Tool("calendar_invite", "Send an invite")));

        Assert.That(index.Names("calendar"), Is.EqualTo(new[] { "calendar", "mailer", "notes" }));
    }

    [Test]
    public void Matches_name_the_capabilities_that_matched_with_a_snippet()
    {
        using var index = Index(Agent("tracker", "Work tracking", protocol: Protocol.Mcp,
            capabilities: [Tool("create_ticket", "Open a Jira ticket <b>now</b>"), Tool("list_boards", "List the boards"), Tool("close_ticket", "Close it")]));

        var hit = index.Search("open jira ticket", CatalogFilter.All, 10).Items.Single();

        Assert.That(hit.Matches.Select(m => (m.Kind, m.Name)), Is.EqualTo(new[] { ("mcp.tool", "create_ticket"), ("mcp.tool", "close_ticket") }));
        Assert.That(hit.Matches[0].Snippet, Is.EqualTo("<em>Open</em> a <em>Jira</em> <em>ticket</em> &lt;b&gt;now&lt;&#x2F;b&gt;"));
        Assert.That(hit.Score, Is.GreaterThan(0));
    }

    [Test]
    public void Ties_go_to_Active_then_Degraded_then_Registered_then_name()
    {
        using var index = Index(
            Agent("b-registered", "Forecasts", Lifecycle.Registered),
            Agent("c-degraded", "Forecasts", Lifecycle.Degraded),
            Agent("b-active", "Forecasts", Lifecycle.Active),
            Agent("a-active", "Forecasts", Lifecycle.Active));

        Assert.That(index.Names("forecasts"), Is.EqualTo(new[] { "a-active", "b-active", "c-degraded", "b-registered" }));
    }

    [Test]
    public void Offline_entries_are_left_out_unless_asked_for()
    {
        using var index = Index(Agent("gone", "Forecasts", Lifecycle.Offline), Agent("here", "Forecasts"));

        Assert.That(index.Names("forecasts"), Is.EqualTo(new[] { "here" }));
        Assert.That(index.Names("forecasts", new CatalogFilter { Lifecycle = "Offline" }), Is.EqualTo(new[] { "gone" }));
    }

    [Test]
    public void A_rebuild_leaves_nothing_of_what_the_snapshot_no_longer_has()
    {
        using var index = Index(Agent("stale", "Forecasts"), Agent("kept", "Forecasts"));

        index.Rebuild([Agent("kept", "Forecasts")]);

        Assert.That(index.Names("forecasts"), Is.EqualTo(new[] { "kept" }));
        Assert.That(index.Count, Is.EqualTo(1));
    }
}
