namespace AgentLens.Bench;

/// <summary>
/// One labelled query: <see cref="Kind"/> is <c>natural</c> or <c>keyword</c>; <see cref="Judgments"/> maps an
/// entry id to its grade (3 exactly right, 2 useful, 1 related); an entry not listed is not relevant.
/// </summary>
internal sealed record RelevanceQuery(string Id, string Text, string Kind, IReadOnlyDictionary<string, int> Judgments);
