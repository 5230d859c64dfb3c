using System.Text.Json;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>Each hit of <c>GET /api/v1/search</c> says whether the agent needs authorization, and from whom.</summary>
[TestFixture]
public sealed class SearchAuthorizationTests
{
    [Test]
    public void EachHit_CarriesItsAccessSummary_AndAnOpenAgentNone()
    {
        var docs = Tests.Api.ProtectedEntries.Protect(SearchEntries.Agent("private-docs", "Private docs", protocol: Protocol.Mcp));
        var invoices = Tests.Api.ProtectedEntries.Secure(SearchEntries.Agent("invoices", "Invoices"));
        var weather = SearchEntries.Agent("weather", "Forecasts");
        var results = new SearchResults("docs", 3, [new SearchHit(docs, 2f, []), new SearchHit(invoices, 1.5f, []), new SearchHit(weather, 1f, [])]);

        var items = JsonDocument.Parse(SearchApi.Render(results, "catalog")).RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("name").GetString()!, i => i.Clone());

        var mcp = items["private-docs"].GetProperty("authorization");
        Assert.That(mcp.GetProperty("required").GetBoolean(), Is.True);
        Assert.That(mcp.GetProperty("summary").GetString(), Is.EqualTo("required (auth.example.test)"));
        Assert.That(mcp.GetProperty("authorizationServers")[0].GetString(), Is.EqualTo(Tests.Api.ProtectedEntries.Issuer));
        Assert.That(mcp.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(mcp.GetProperty("resourceMetadataUrl").GetString(), Is.EqualTo(Tests.Api.ProtectedEntries.MetadataUrl));
        Assert.That(items["invoices"].GetProperty("authorization").GetProperty("summary").GetString(), Is.EqualTo("oauth | apiKey"));
        Assert.That(items["weather"].TryGetProperty("authorization", out _), Is.False, "an agent that declares no security and answered has none");
    }
}
