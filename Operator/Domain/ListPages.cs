namespace AgentLens.Operator.Domain;

/// <summary>How the operator pages through lists of Services and catalog ConfigMaps.</summary>
internal static class ListPages
{
    /// <summary>Objects per page: the API server's own default for chunked lists (kubectl uses the same).</summary>
    public const int Size = 500;
}
