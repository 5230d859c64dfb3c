namespace AgentLens.Operator.Api.Search;

/// <summary>One page of ranked results; <see cref="Total"/> counts every match the reader may see, not only this page.</summary>
internal sealed record SearchResults(string Query, int Total, IReadOnlyList<SearchHit> Items);
