namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// Whether one member answers, as its list/watch finds out: the first failure after a success starts the
/// clock (<see cref="FailingSince"/>); any answer stops it. The hub's tick turns a clock older than the
/// grace period into <c>ClusterReachable=False</c>. The reason is ours (a status code, an exception type),
/// never the member's text.
/// </summary>
internal sealed class MemberHealth(TimeProvider time)
{
    private readonly Lock gate = new();
    private DateTimeOffset? failingSince;
    private string reason = "Unreachable";
    private string message = string.Empty;

    public (DateTimeOffset? FailingSince, string Reason, string Message) State
    {
        get
        {
            lock (gate)
            {
                return (failingSince, reason, message);
            }
        }
    }

    public void Answered()
    {
        lock (gate)
        {
            failingSince = null;
        }
    }

    public void Failed(string why, string text)
    {
        lock (gate)
        {
            failingSince ??= time.GetUtcNow();
            (reason, message) = (why, text);
        }
    }
}
