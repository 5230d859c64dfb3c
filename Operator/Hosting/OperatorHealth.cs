namespace AgentLens.Operator.Hosting;

/// <summary>What the probes report: whether the loop is alive, and whether this replica leads.</summary>
internal sealed class OperatorHealth(TimeProvider time) : Catalog.ILeadership
{
    private long lastCycleFinishedTicks;
    private long startedTicks = time.GetUtcNow().UtcTicks;
    private int leading;

    public bool IsLeader => Volatile.Read(ref leading) == 1;

    public DateTimeOffset LastCycleFinished => new(Volatile.Read(ref lastCycleFinishedTicks), TimeSpan.Zero);

    public void CycleFinished() => Volatile.Write(ref lastCycleFinishedTicks, time.GetUtcNow().UtcTicks);

    public void Leading(bool isLeader)
    {
        Volatile.Write(ref leading, isLeader ? 1 : 0);
        if (isLeader)
        {
            // The stuck-loop clock starts when leadership does, not at process start.
            Volatile.Write(ref startedTicks, time.GetUtcNow().UtcTicks);
        }
    }

    /// <summary>
    /// The loop is stuck when a leader has finished no cycle for <paramref name="limit"/>; a follower runs
    /// no cycles and is never stuck.
    /// </summary>
    public bool IsStuck(TimeSpan limit)
    {
        if (!IsLeader)
        {
            return false;
        }

        var since = Math.Max(Volatile.Read(ref lastCycleFinishedTicks), Volatile.Read(ref startedTicks));
        return time.GetUtcNow().UtcTicks - since > limit.Ticks;
    }
}
