namespace AgentLens.Operator.Api;

/// <summary>
/// A log line that strangers can cause, sampled: the first one is written, then at most one per interval
/// carrying how many were left out since — so a flood of bad requests is visible without filling the log.
/// </summary>
internal sealed class LogSample(TimeProvider time, TimeSpan interval)
{
    private readonly Lock gate = new();
    private long suppressed;
    private DateTimeOffset writtenAt = DateTimeOffset.MinValue;

    /// <summary>Whether to write this one; <paramref name="left"/> is how many were left out before it.</summary>
    public bool Take(out long left)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - writtenAt < interval)
            {
                suppressed++;
                left = 0;
                return false;
            }

            writtenAt = now;
            left = suppressed;
            suppressed = 0;
            return true;
        }
    }
}
