using AgentLens.Operator.Catalog;

namespace AgentLens.Bench;

/// <summary>
/// The labelled relevance set (hack/bench/search): catalog entries built by our own card parsers, and queries
/// with graded judgments. Entry ids are the agent's <c>namespace/name</c>; the entry itself is stored under its
/// catalog ConfigMap name in <see cref="Store"/>, as the operator stores it.
/// </summary>
internal sealed record SearchCorpus(IReadOnlyList<StoredEntry> Entries, IReadOnlyList<RelevanceQuery> Queries)
{
    public const string Store = "catalog";

    public static string IdOf(StoredEntry entry) => $"{entry.Entry?.Metadata.Namespace}/{entry.Entry?.Metadata.Name}";
}
