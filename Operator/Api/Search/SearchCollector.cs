using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// Keeps the best <c>limit</c> matches the reader's filter allows and counts them all, in one pass over the
/// matching documents: each document's id (a doc value) finds its entry, the filter is the catalog's own.
/// Ties: score, then Active before Degraded before Registered, then name.
/// </summary>
internal sealed class SearchCollector(Func<long, StoredEntry?> entryOf, Func<StoredEntry, bool> keep, int limit) : ICollector
{
    private readonly PriorityQueue<Ranked, Ranked> best = new(limit + 1, Worse.Instance);
    private Scorer? scorer;
    private NumericDocValues? ids;

    public int Total { get; private set; }

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer) => this.scorer = scorer;

    public void SetNextReader(AtomicReaderContext context) => ids = context.AtomicReader.GetNumericDocValues(SearchFields.Id);

    public void Collect(int doc)
    {
        if (ids is null || entryOf(ids.Get(doc)) is not { } entry || !keep(entry))
        {
            return;
        }

        Total++;
        var ranked = new Ranked(entry, scorer!.GetScore());
        if (best.Count < limit)
        {
            best.Enqueue(ranked, ranked);
        }
        else if (limit > 0 && Worse.Instance.Compare(best.Peek(), ranked) < 0)
        {
            best.DequeueEnqueue(ranked, ranked);
        }
    }

    /// <summary>The kept matches, best first.</summary>
    public IReadOnlyList<Ranked> Best()
    {
        var all = new List<Ranked>(best.Count);
        while (best.TryDequeue(out var ranked, out _))
        {
            all.Add(ranked);
        }

        all.Reverse();
        return all;
    }

    public static int Rank(StoredEntry entry) => entry.Entry?.Status.Lifecycle switch
    {
        Lifecycle.Active => 0,
        Lifecycle.Degraded => 1,
        Lifecycle.Registered => 2,
        _ => 3,
    };

    internal readonly record struct Ranked(StoredEntry Entry, float Score);

    /// <summary>Orders the worse match first, so the queue's head is the one to drop.</summary>
    private sealed class Worse : IComparer<Ranked>
    {
        public static readonly Worse Instance = new();

        public int Compare(Ranked x, Ranked y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byLifecycle = Rank(y.Entry).CompareTo(Rank(x.Entry));
            return byLifecycle != 0 ? byLifecycle : string.CompareOrdinal(y.Entry.Name, x.Entry.Name);
        }
    }
}
