namespace AgentLens.Operator.Domain;

/// <summary>
/// How many capabilities one entry keeps at most. Here, below both users: the crawler stops paging an MCP
/// server's lists there, and the reconciler's entry limits cut a card's list there.
/// </summary>
internal static class CapabilityLimits
{
    public const int MaxPerEntry = 1000;
}
