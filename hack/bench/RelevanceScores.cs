namespace AgentLens.Bench;

/// <summary>Means over queries of nDCG@5, MRR@10 and recall@10, with the per-query figures they came from.</summary>
internal sealed record RelevanceScores(double Ndcg5, double Mrr10, double Recall10, IReadOnlyList<QueryScores> Queries)
{
    /// <summary>The means over some of the queries (e.g. one kind); zeros when there are none.</summary>
    public static RelevanceScores Of(IEnumerable<QueryScores> queries)
    {
        var list = queries.ToList();
        return list.Count == 0
            ? new RelevanceScores(0, 0, 0, list)
            : new RelevanceScores(list.Average(q => q.Ndcg5), list.Average(q => q.Mrr10), list.Average(q => q.Recall10), list);
    }

    /// <summary>The queries with the lowest nDCG@5 (then MRR@10, then id), worst first.</summary>
    public IReadOnlyList<QueryScores> Worst(int count) =>
        [.. Queries.OrderBy(q => q.Ndcg5).ThenBy(q => q.Mrr10).ThenBy(q => q.Id, StringComparer.Ordinal).Take(count)];
}
