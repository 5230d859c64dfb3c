namespace AgentLens.Bench;

/// <summary>One query's figures, and the ids the ranking put first, for a "worst queries" printout.</summary>
internal sealed record QueryScores(string Id, string Text, string Kind, double Ndcg5, double Mrr10, double Recall10, IReadOnlyList<string> Top5);
