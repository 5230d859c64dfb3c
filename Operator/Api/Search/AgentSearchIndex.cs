using System.Collections.Concurrent;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// The in-memory full-text index of the catalog (Lucene, BM25): one document per entry, written by one feed
/// loop (<see cref="SearchIndexFeed"/>) and searched by any number of readers through a near-real-time
/// searcher that each applied batch refreshes. A document carries an id; the id finds the entry it was
/// made from, and an id is forgotten only once the searcher that could still return it is gone.
/// </summary>
internal sealed class AgentSearchIndex : IAgentSearch, IDisposable
{
    private readonly SearchAnalyzer analyzer = new();
    private readonly SearchAnalyzer queryAnalyzer = SearchAnalyzer.ForQuery();
    private readonly RAMDirectory directory = new();
    private readonly IndexWriter writer;
    private readonly SearcherManager searchers;
    private readonly string storeNamespace;
    private readonly ConcurrentDictionary<long, StoredEntry> entries = new();

    // The writer's side only (one feed loop): the id each entry's document has now, and ids to forget.
    private readonly Dictionary<string, long> idOf = new(StringComparer.Ordinal);
    private readonly List<long> retired = [];
    private long nextId;

    public AgentSearchIndex(StoreNamespace store)
    {
        storeNamespace = store.Name;
        writer = new IndexWriter(directory, new IndexWriterConfig(SearchAnalyzer.Version, analyzer)
        {
            Similarity = new BM25Similarity(),
            OpenMode = OpenMode.CREATE,
        });
        searchers = new SearcherManager(writer, applyAllDeletes: true, new Bm25Searchers());
    }

    /// <summary>Entries the index holds now.</summary>
    public int Count => idOf.Count;

    /// <summary>What the index's files take in memory, in bytes.</summary>
    public long SizeInBytes => directory.GetSizeInBytes();

    /// <summary>The index becomes exactly <paramref name="snapshot"/>: whatever a relist no longer shows is gone.</summary>
    public void Rebuild(IReadOnlyList<StoredEntry> snapshot)
    {
        writer.DeleteAll();
        retired.AddRange(idOf.Values);
        idOf.Clear();
        foreach (var item in snapshot)
        {
            Add(item);
        }

        Refresh();
    }

    /// <summary>Applies changes in order, then makes them searchable.</summary>
    public void Apply(IEnumerable<CatalogEvent> changes)
    {
        foreach (var e in changes)
        {
            if (e.Type == CatalogEventType.Deleted)
            {
                Remove(e.Entry.Name);
            }
            else
            {
                Add(e.Entry);
            }
        }

        Refresh();
    }

    /// <summary>
    /// The query as a question first (question words dropped, abbreviations added); a query of question words
    /// alone ("agent", "which tool") is then taken at its word, as the index analyzed it, rather than refused.
    /// </summary>
    private Query ParseQuery(string query)
    {
        try
        {
            return SearchQueryParser.Parse(query, queryAnalyzer);
        }
        catch (SearchQueryException) when (!string.IsNullOrWhiteSpace(query) && query.Length <= SearchQueryParser.MaxLength)
        {
            return SearchQueryParser.Parse(query, analyzer);
        }
    }

    public SearchResults Search(string query, CatalogFilter filter, int limit)
    {
        var parsed = ParseQuery(query);
        var searcher = searchers.Acquire();
        try
        {
            // A filter without a lifecycle leaves Offline entries out; one with a lifecycle says which.
            Func<StoredEntry, bool> keep = filter.Lifecycle is null
                ? e => filter.Matches(e) && e.Entry?.Status.Lifecycle != Lifecycle.Offline
                : filter.Matches;
            var collector = new SearchCollector(id => entries.GetValueOrDefault(id), keep, Math.Max(0, limit));
            var rewritten = searcher.Rewrite(parsed);
            searcher.Search(rewritten, collector);
            var best = collector.Best();
            var matcher = best.Count > 0 ? new CapabilityMatcher(analyzer, rewritten) : null;
            return new SearchResults(query, collector.Total, [.. best.Select(r => new SearchHit(r.Entry, r.Score, matcher!.Matches(r.Entry.Entry)))]);
        }
        catch (BooleanQuery.TooManyClausesException)
        {
            throw new SearchQueryException($"q: the query expands to too many terms (at most {SearchQueryParser.MaxClauses} clauses)");
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    public void Dispose()
    {
        searchers.Dispose();
        writer.Dispose();
        directory.Dispose();
        analyzer.Dispose();
        queryAnalyzer.Dispose();
    }

    private void Add(StoredEntry item)
    {
        var id = ++nextId;
        entries[id] = item;
        if (idOf.TryGetValue(item.Name, out var old))
        {
            retired.Add(old);
        }

        idOf[item.Name] = id;
        writer.UpdateDocument(new Term(SearchFields.Key, item.Name), SearchFields.Of(item, id, storeNamespace));
    }

    private void Remove(string name)
    {
        if (idOf.Remove(name, out var old))
        {
            retired.Add(old);
            writer.DeleteDocuments(new Term(SearchFields.Key, name));
        }
    }

    private void Refresh()
    {
        searchers.MaybeRefreshBlocking();

        // A search that acquired the previous searcher may still be reading these ids: it then skips them,
        // which is what the newer searcher says too.
        foreach (var id in retired)
        {
            entries.TryRemove(id, out _);
        }

        retired.Clear();
    }

    private sealed class Bm25Searchers : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = new BM25Similarity() };
    }
}
