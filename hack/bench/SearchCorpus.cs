using AgentLens.Operator.Catalog;

namespace AgentLens.Bench;

/// <summary>
/// The labelled relevance set (hack/bench/search): catalog entries built by our own card parsers, and queries
/// with graded judgments. Entry ids are <c>namespace/name</c>.
/// </summary>
internal sealed record SearchCorpus(IReadOnlyList<StoredEntry> Entries, IReadOnlyList<RelevanceQuery> Queries)
{
    public static string IdOf(StoredEntry entry) => $"{entry.Namespace}/{entry.Name}";
}
