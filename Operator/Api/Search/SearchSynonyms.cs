using Lucene.Net.Analysis.Synonym;
using Lucene.Net.Util;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// The query-time vocabulary: generic software abbreviations and their spelled-out words, so "k8s" finds a
/// card that says "Kubernetes" and the other way round. Deliberately small and domain-neutral (no product or
/// answer from the relevance set); each group is an equivalence: any word of it finds the others. A word
/// here must be one token, as the query parser analyses a query word by word; a spelled-out form of several
/// words is listed on the right of a one-way rule.
/// </summary>
internal static class SearchSynonyms
{
    /// <summary>Groups of one-token words that mean the same.</summary>
    public static readonly string[][] Equivalent =
    [
        ["k8s", "kubernetes"],
        ["repo", "repository"],
        ["db", "database"],
        ["doc", "document", "documentation"],
        ["config", "configuration"],
        ["env", "environment"],
        ["auth", "authentication", "authorization"],
        ["creds", "credentials"],
        ["msg", "message"],
        ["info", "information"],
        ["img", "image"],
        ["email", "mail"],
        ["login", "signin", "logon"],
    ];

    /// <summary>An abbreviation and the words it stands for (the words find it already through the index).</summary>
    public static readonly IReadOnlyDictionary<string, string> Expansions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pr"] = "pull request",
        ["mr"] = "merge request",
        ["vm"] = "virtual machine",
        ["llm"] = "language model",
        ["ml"] = "machine learning",
        ["ocr"] = "text recognition",
        ["pto"] = "paid time off",
        ["faq"] = "frequently asked questions",
        ["kb"] = "knowledge base",
        ["sso"] = "single sign-on",
    };

    public static SynonymMap Map { get; } = Build();

    private static SynonymMap Build()
    {
        var builder = new SynonymMap.Builder(dedup: true);
        foreach (var group in Equivalent)
        {
            foreach (var word in group)
            {
                foreach (var other in group.Where(o => o != word))
                {
                    builder.Add(new CharsRef(word), new CharsRef(other), includeOrig: true);
                }
            }
        }

        foreach (var (word, words) in Expansions)
        {
            builder.Add(new CharsRef(word), SynonymMap.Builder.Join(words.Split(' '), new CharsRef()), includeOrig: true);
        }

        return builder.Build();
    }
}
