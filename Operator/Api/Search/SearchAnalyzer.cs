using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Util;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// One analysis for identifiers and prose alike, at index and at query time: whitespace, then split at
/// underscores, dots, slashes, hyphens and case changes while keeping the whole token (so
/// <c>create_jira_issue</c>, <c>createJiraIssue</c>, <c>jira-issue.create</c> and <c>io.github.acme/jira</c>
/// all give "jira" and "issue", and an exact identifier still matches as one term); then lower case,
/// accents folded, English stop words dropped and Porter stemming, so "translates" finds "translation".
/// </summary>
internal sealed class SearchAnalyzer : Analyzer
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private const WordDelimiterFlags Split = WordDelimiterFlags.GENERATE_WORD_PARTS | WordDelimiterFlags.GENERATE_NUMBER_PARTS
        | WordDelimiterFlags.SPLIT_ON_CASE_CHANGE | WordDelimiterFlags.SPLIT_ON_NUMERICS | WordDelimiterFlags.PRESERVE_ORIGINAL
        | WordDelimiterFlags.STEM_ENGLISH_POSSESSIVE;

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new WhitespaceTokenizer(Version, reader);
        TokenStream stream = new WordDelimiterFilter(Version, source, Split, null);
        stream = new LowerCaseFilter(Version, stream);
        stream = new ASCIIFoldingFilter(stream);
        stream = new StopFilter(Version, stream, EnglishAnalyzer.DefaultStopSet);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}
