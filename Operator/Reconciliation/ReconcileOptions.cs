namespace AgentLens.Operator.Reconciliation;

/// <summary>The reconciler's rules and limits (built from the validated operator options by the host).</summary>
internal sealed record ReconcileOptions
{
    /// <summary>Consecutive failed cycles after which a Degraded entry goes Offline.</summary>
    public int OfflineAfterFailures { get; init; } = 3;

    /// <summary>How long an Offline entry is kept before its ConfigMap is deleted.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Catalog writes in flight at once, apart from the crawl's own concurrency.</summary>
    public int WriteConcurrency { get; init; } = 32;
}
