using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api.Search;

/// <summary>One ranked entry and the capabilities that made it match ("which tool", not only "which agent").</summary>
internal sealed record SearchHit(StoredEntry Entry, float Score, IReadOnlyList<SearchMatch> Matches);
