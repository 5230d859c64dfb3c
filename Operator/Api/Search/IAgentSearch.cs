using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// The one search contract of every reader that finds agents by what they do: <c>GET /api/v1/search</c>, the
/// catalog's MCP tools and the registry API's <c>search</c> are thin bindings over it. The index behind it is
/// fed by the catalog feed (<see cref="ICatalogView"/>), so it serves what the catalog serves.
/// </summary>
internal interface IAgentSearch
{
    /// <summary>
    /// The entries that match <paramref name="query"/> among those <paramref name="filter"/> keeps (a reader
    /// narrows it to its <see cref="Visibility"/> first), best first, at most <paramref name="limit"/>; a filter
    /// without a lifecycle leaves Offline entries out. Bad query text throws <see cref="SearchQueryException"/>.
    /// </summary>
    SearchResults Search(string query, CatalogFilter filter, int limit);
}
