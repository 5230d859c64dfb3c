using System.Text;
using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// Query text to a Lucene query, with Lucene's classic syntax (AND/OR/NOT, +/-, "phrases", prefix*,
/// field:term, grouping, term~ and boosts) over <see cref="SearchFields"/>, and every bound that keeps one
/// query cheap: its length, its clauses, and how far a prefix, wildcard or fuzzy term may expand. Whatever
/// it refuses throws <see cref="SearchQueryException"/> saying what and where, never echoing the text.
/// </summary>
internal static partial class SearchQueryParser
{
    public const int MaxLength = 512;

    /// <summary>Clauses after the free-text terms are spread over the searched fields.</summary>
    public const int MaxClauses = 1024;

    /// <summary>The terms a prefix, wildcard or fuzzy term expands to at most (the best-scoring ones).</summary>
    public const int MaxExpansions = 64;

    private static readonly string[] FreeTextFields = [.. SearchFields.Boosts.Keys];

    /// <summary>Where the whole-query phrase is looked for: the fields of names and prose (a phrase in a tag or a namespace is rare, and each field costs a scorer).</summary>
    private static readonly string[] PhraseFields = [SearchFields.Name, SearchFields.Capability, SearchFields.Description, SearchFields.CapabilityText, SearchFields.Example];

    public static Query Parse(string? text, Analyzer analyzer)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new SearchQueryException("q: the query is empty; give some words, e.g. q=jira issue");
        }

        if (text.Length > MaxLength)
        {
            throw new SearchQueryException($"q: the query is {text.Length} characters long; at most {MaxLength}");
        }

        if (text.Any(char.IsControl))
        {
            throw new SearchQueryException($"q: control character at column {text.TakeWhile(c => !char.IsControl(c)).Count() + 1}");
        }

        var parser = new FieldParser(analyzer)
        {
            DefaultOperator = QueryParserBase.OR_OPERATOR,
            AllowLeadingWildcard = false,
            MultiTermRewriteMethod = new MultiTermQuery.TopTermsScoringBooleanQueryRewrite(MaxExpansions),
            FuzzyPrefixLength = 1,
            AutoGeneratePhraseQueries = false,
        };
        Query? query;
        try
        {
            query = parser.Parse(Escape(text));
        }
        catch (ParseException e)
        {
            throw new SearchQueryException($"q: {Describe(e.Message)}");
        }
        catch (BooleanQuery.TooManyClausesException)
        {
            throw new SearchQueryException($"q: the query has too many terms (more than {MaxClauses} clauses over the searched fields)");
        }

        if (query is null || query is BooleanQuery { Clauses.Count: 0 })
        {
            throw new SearchQueryException("q: nothing to search for: every word is a stop word or punctuation");
        }

        var clauses = Count(query);
        if (clauses > MaxClauses)
        {
            throw new SearchQueryException($"q: the query has too many terms ({clauses} clauses over the searched fields; at most {MaxClauses})");
        }

        // Only exclusions match nothing in Lucene; as a search they mean "everything but".
        if (query is BooleanQuery only && only.Clauses.All(c => c.Occur == Occur.MUST_NOT))
        {
            only.Add(new MatchAllDocsQuery(), Occur.SHOULD);
        }

        return IsFreeText(text) && query is BooleanQuery words ? Rank(words, text, analyzer) : query;
    }

    /// <summary>The slop of the whole-query phrase: its words may stand this far apart, in any order nearby.</summary>
    public const int PhraseSlop = 3;

    /// <summary>How much the whole-query phrase weighs against the words alone.</summary>
    public const float PhraseBoost = 2f;

    /// <summary>
    /// Free text (no operators, quotes, fields or wildcards) is ranked as a question: any word may match, but an
    /// entry with the query's words close together (the whole query as a sloppy phrase, SHOULD) ranks first.
    /// </summary>
    private static BooleanQuery Rank(BooleanQuery words, string text, Analyzer analyzer)
    {
        var terms = words.Clauses.Count;
        if (terms < 2)
        {
            return words;
        }

        Query? phrase;
        try
        {
            phrase = new MultiFieldQueryParser(SearchAnalyzer.Version, PhraseFields, analyzer, PhraseFields.ToDictionary(f => f, f => SearchFields.Boosts[f]))
                .Parse($"\"{Escape(text)}\"~{PhraseSlop}");
        }
        catch (ParseException)
        {
            return words;
        }

        if (phrase is null)
        {
            return words;
        }

        phrase.Boost = PhraseBoost;
        return new BooleanQuery { { words, Occur.MUST }, { phrase, Occur.SHOULD } };
    }

    private static bool IsFreeText(string text) =>
        !text.Any(c => c is '"' or ':' or '*' or '~' or '^' or '(' or ')' or '[' or ']' or '{' or '}' or '+' or '-' or '\\' or '!')
        && !OperatorWord().IsMatch(text);

    [GeneratedRegex(@"\b(AND|OR|NOT)\b")]
    private static partial Regex OperatorWord();

    /// <summary>
    /// Outside phrases, '?' ends a question rather than being a one-letter wildcard, and '/' is part of a
    /// name (io.github.acme/jira) rather than the start of a regular expression: both are escaped.
    /// </summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                escaped.Append(c).Append(text[++i]);
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '?' or '/')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static int Count(Query query) => query switch
    {
        BooleanQuery b => b.Clauses.Sum(c => Count(c.Query)),
        _ => 1,
    };

    /// <summary>Lucene's message, told by position only: the text the client sent is never repeated back.</summary>
    private static string Describe(string message)
    {
        var column = Column().Match(message);
        var where = column.Success ? $" at column {column.Groups[1].Value}" : string.Empty;
        if (message.Contains("Encountered \"<EOF>\"", StringComparison.Ordinal))
        {
            return $"the query ends too early{where} (an unclosed quote, bracket or parenthesis, or an operator with nothing after it)";
        }

        if (message.Contains("Lexical error", StringComparison.Ordinal))
        {
            return $"the query ends inside a quote or an escape{where}";
        }

        if (message.Contains("not allowed as first character", StringComparison.Ordinal))
        {
            return "a term may not start with '*' (a leading wildcard scans every term); put letters before it";
        }

        return $"syntax error{where}; see docs/search.md for the syntax";
    }

    [GeneratedRegex(@"column (\d+)")]
    private static partial Regex Column();

    /// <summary>The classic parser, with the field names of a query mapped to the index's, and the costly query kinds refused.</summary>
    private sealed class FieldParser(Analyzer analyzer)
        : MultiFieldQueryParser(SearchAnalyzer.Version, FreeTextFields, analyzer, SearchFields.Boosts.ToDictionary(kv => kv.Key, kv => kv.Value))
    {
        protected override Query GetFieldQuery(string field, string queryText, bool quoted) => base.GetFieldQuery(Map(field), queryText, quoted);

        protected override Query GetFieldQuery(string field, string queryText, int slop) => base.GetFieldQuery(Map(field), queryText, slop);

        protected override Query GetPrefixQuery(string field, string termStr) => base.GetPrefixQuery(Map(field), termStr);

        protected override Query GetWildcardQuery(string field, string termStr) => base.GetWildcardQuery(Map(field), termStr);

        protected override Query GetFuzzyQuery(string field, string termStr, float minSimilarity) => base.GetFuzzyQuery(Map(field), termStr, minSimilarity);

        protected override Query GetRegexpQuery(string field, string termStr) =>
            throw new SearchQueryException("q: regular expressions are not supported; use prefix* or a phrase");

        protected override Query GetRangeQuery(string field, string part1, string part2, bool startInclusive, bool endInclusive) =>
            throw new SearchQueryException("q: ranges ([a TO b]) are not supported");

        private static string Map(string field)
        {
            if (field is null)
            {
                return null!;
            }

            if (SearchFields.Aliases.TryGetValue(field, out var mapped))
            {
                return mapped;
            }

            // The free-text fields, as the multi-field parser spreads a prefix or fuzzy term over them.
            if (SearchFields.Boosts.ContainsKey(field))
            {
                return field;
            }

            // Only a field name of a plain shape is repeated back; anything else is described.
            var shown = field.Length <= 32 && field.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? $"'{field}'" : "before ':'";
            throw new SearchQueryException($"q: unknown field {shown}; fields are {string.Join(", ", SearchFields.Aliases.Keys.Order(StringComparer.Ordinal))} (escape a literal colon as \\:)");
        }
    }
}
