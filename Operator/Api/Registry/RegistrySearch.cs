using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// What the registry's <c>search</c> adds to the spec's substring match: the MCP entries the catalog search
/// (<see cref="IAgentSearch"/>) finds for the same text, among those the caller may see — so a search for a
/// tool's name finds its server. The order stays the registry's (by name), because its cursor is a name: a
/// ranked order would move between pages as entries change. Text the index refuses (Lucene syntax it does not
/// take, stop words only) falls back to the substring match alone rather than answering 400: the spec promises
/// substring matching for any text.
/// </summary>
internal static class RegistrySearch
{
    /// <summary>The entry names the index finds, or null when there is no index or it refuses the text.</summary>
    public static IReadOnlySet<string>? Found(IAgentSearch? search, string text, Visibility seen, string storeNamespace, int servers)
    {
        if (search is null || servers == 0)
        {
            return null;
        }

        try
        {
            var filter = seen.Narrow(new CatalogFilter { Protocol = "mcp" }, storeNamespace);
            return search.Search(text, filter, servers).Items.Select(h => h.Entry.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (SearchQueryException)
        {
            return null;
        }
    }
}
