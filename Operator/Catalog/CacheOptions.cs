namespace AgentLens.Operator.Catalog;

/// <summary>The catalog cache's limits (built from the validated operator options by the host).</summary>
internal sealed record CacheOptions
{
    /// <summary>Off in a one-shot run or with every reader API off: nobody would read it.</summary>
    public bool Enabled { get; init; } = true;

    public int WatcherBuffer { get; init; } = 1024;

    public int HistorySize { get; init; } = 10_000;

    public TimeSpan HistoryAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long an Offline entry is kept: a push entry whose Lease expired is shown with it.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(24);
}
