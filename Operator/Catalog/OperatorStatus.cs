namespace AgentLens.Operator.Catalog;

/// <summary>
/// The operator's own liveness, written once per cycle to one small ConfigMap (agentlens-status), so
/// that nothing that ticks every cycle is ever stored on a catalog entry.
/// </summary>
internal sealed record OperatorStatus
{
    public required DateTimeOffset LastCycleTime { get; init; }
    public required double LastCycleSeconds { get; init; }
    public required string Result { get; init; }
    public DateTimeOffset? LastSuccessTime { get; init; }
    public required IReadOnlyList<SourceStatus> Sources { get; init; }
    public required CycleCounts Counts { get; init; }
    public string? Leader { get; init; }
}

internal sealed record SourceStatus(string Name, bool Succeeded, int Agents, string? Reason, string? Message);

internal sealed record CycleCounts
{
    public int Entries { get; init; }
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Offline { get; init; }
    public int Deleted { get; init; }
    public int Unchanged { get; init; }
    public int Conflicts { get; init; }
    public int Writes { get; init; }

    /// <summary>Writes the API server refused for their content (each reported on the agent's own object).</summary>
    public int Refused { get; init; }
}
