using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// One analysis for identifiers and prose alike: whitespace, then split at underscores, dots, slashes, hyphens
/// and case changes while keeping the whole token (so <c>create_jira_issue</c>, <c>createJiraIssue</c>,
/// <c>jira-issue.create</c> and <c>io.github.acme/jira</c> all give "jira" and "issue", and an exact identifier
/// still matches as one term); then lower case, accents folded, English stop words dropped and Porter stemming,
/// so "translates" finds "translation". The query side (<see cref="ForQuery"/>) adds the words of
/// <see cref="SearchSynonyms"/> and drops the words of a question that say nothing about the task ("which
/// agent can", "is there an MCP tool that"); the index keeps them, so a field query still finds them.
/// </summary>
internal sealed class SearchAnalyzer(bool query = false) : Analyzer
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>The words of a request to a catalog that do not tell one agent from another.</summary>
    public static readonly CharArraySet QuestionWords = new(Version,
    [
        "which", "what", "who", "whom", "how", "where", "when", "why", "whether", "is", "are", "am", "was", "do", "does", "did",
        "can", "could", "would", "should", "will", "may", "might", "any", "some", "something", "someone", "anything",
        "i", "me", "my", "we", "us", "our", "you", "your", "it", "its", "please", "need", "want", "help", "like", "get",
        "agent", "agents", "tool", "tools", "server", "servers", "service", "one", "has", "have", "lets", "let", "right", "now",
    ], ignoreCase: true);

    private const WordDelimiterFlags Split = WordDelimiterFlags.GENERATE_WORD_PARTS | WordDelimiterFlags.GENERATE_NUMBER_PARTS
        | WordDelimiterFlags.SPLIT_ON_CASE_CHANGE | WordDelimiterFlags.SPLIT_ON_NUMERICS | WordDelimiterFlags.PRESERVE_ORIGINAL
        | WordDelimiterFlags.STEM_ENGLISH_POSSESSIVE;

    /// <summary>The analyzer for query text.</summary>
    public static SearchAnalyzer ForQuery() => new(query: true);

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new WhitespaceTokenizer(Version, reader);
        TokenStream stream = new WordDelimiterFilter(Version, source, Split, null);
        stream = new LowerCaseFilter(Version, stream);
        stream = new ASCIIFoldingFilter(stream);
        if (query)
        {
            stream = new StopFilter(Version, stream, QuestionWords);
            stream = new SynonymFilter(stream, SearchSynonyms.Map, ignoreCase: true);
        }

        stream = new StopFilter(Version, stream, EnglishAnalyzer.DefaultStopSet);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}
