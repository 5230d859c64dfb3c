namespace AgentLens.Operator.Api.Search;

/// <summary>Query text the search refuses; the message says what is wrong and where, and is safe to answer with as a 400.</summary>
internal sealed class SearchQueryException(string message) : Exception(message);
