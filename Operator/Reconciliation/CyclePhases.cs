namespace AgentLens.Operator.Reconciliation;

/// <summary>How long each step of a cycle took, so the next slow step is visible in the cycle's log line.</summary>
internal sealed class CyclePhases(TimeProvider time)
{
    private readonly List<(string Name, TimeSpan Took)> done = [];
    private long mark = time.GetTimestamp();

    public IReadOnlyList<(string Name, TimeSpan Took)> Done() => done;

    public void Done(string phase)
    {
        var now = time.GetTimestamp();
        done.Add((phase, time.GetElapsedTime(mark, now)));
        mark = now;
    }

    /// <summary><c>read=0.012s sources=0.310s crawl=2.104s writes=0.051s</c>: writes is what remained after the crawl.</summary>
    public override string ToString() => string.Join(' ', done.Select(d => $"{d.Name}={d.Took.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)}s"));
}
