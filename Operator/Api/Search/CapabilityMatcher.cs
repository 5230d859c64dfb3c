using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// Which capabilities of a ranked entry made it match, told for the few entries of a page only: the query's
/// terms (prefixes and wildcards already expanded by the rewrite) against each capability's analysed text,
/// and a snippet of its description with the matching words in <c>&lt;em&gt;</c>, HTML-encoded.
/// </summary>
internal sealed class CapabilityMatcher
{
    public const int MaxMatches = 5;
    private const int SnippetChars = 160;

    private readonly Analyzer analyzer;

    // One highlighter per search: its scorer walks the whole query once, not once per snippet.
    private readonly Highlighter highlighter;
    private readonly Dictionary<string, HashSet<string>> terms = new(StringComparer.Ordinal);

    public CapabilityMatcher(Analyzer analyzer, Query rewritten)
    {
        this.analyzer = analyzer;
        var all = new HashSet<Term>();
        rewritten.ExtractTerms(all);
        foreach (var term in all)
        {
            if (!terms.TryGetValue(term.Field, out var set))
            {
                terms[term.Field] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.Add(term.Text);
        }

        // The snippet marks the query's words: scored by plain terms, as a phrase or span would make the scorer
        // index every snippet's text in memory to find its positions.
        var words = new BooleanQuery();
        foreach (var word in terms.GetValueOrDefault(SearchFields.CapabilityText) ?? [])
        {
            words.Add(new TermQuery(new Term(SearchFields.CapabilityText, word)), Occur.SHOULD);
        }

        highlighter = new Highlighter(new SimpleHTMLFormatter("<em>", "</em>"), new SimpleHTMLEncoder(), new QueryScorer(words, SearchFields.CapabilityText))
        {
            TextFragmenter = new SimpleFragmenter(SnippetChars),
        };
    }

    public IReadOnlyList<SearchMatch> Matches(AgentType? entry)
    {
        if (entry is null)
        {
            return [];
        }

        var found = new List<(Capability Capability, int Hits)>();
        foreach (var capability in SearchFields.Searched(entry))
        {
            var names = SearchFields.NamesOf(capability);
            var typed = capability.Kind == CapabilityKinds.A2aSkill ? SearchFields.Skill : capability.Kind == CapabilityKinds.McpTool ? SearchFields.Tool : null;
            var hits = 3 * (Hits(SearchFields.Capability, names) + (typed is null ? 0 : Hits(typed, [.. names, capability.Description])))
                + Hits(SearchFields.CapabilityText, capability.Description)
                + Hits(SearchFields.Tag, [.. capability.Tags])
                + Hits(SearchFields.Example, capability.Properties.GetValueOrDefault(CapabilityProperties.Examples))
                + Hits(SearchFields.Input, capability.Properties.GetValueOrDefault(CapabilityProperties.Parameters));
            if (hits > 0)
            {
                found.Add((capability, hits));
            }
        }

        return [.. found.OrderByDescending(f => f.Hits).ThenBy(f => f.Capability.Name, StringComparer.Ordinal).Take(MaxMatches)
            .Select(f => new SearchMatch(f.Capability.Kind, f.Capability.Name, Snippet(f.Capability.Description)))];
    }

    private int Hits(string field, params string?[] texts)
    {
        if (!terms.TryGetValue(field, out var wanted))
        {
            return 0;
        }

        var hits = 0;
        foreach (var text in texts)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            using var stream = analyzer.GetTokenStream(field, text);
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                if (wanted.Contains(term.ToString()))
                {
                    hits++;
                }
            }

            stream.End();
        }

        return hits;
    }

    private string? Snippet(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return null;
        }

        var best = highlighter.GetBestFragment(analyzer, SearchFields.CapabilityText, description);
        return best ?? SimpleHTMLEncoder.HtmlEncode(description.Length <= SnippetChars ? description : description[..SnippetChars] + "…");
    }
}
