namespace AgentLens.Operator.Api;

/// <summary>
/// The log lines of the read APIs that anybody who can connect may cause — refused requests, throttled
/// token reviews, refused watches — each sampled (<see cref="LogSample"/>: the first, then one every ten
/// seconds with a count), never with a token in them.
/// </summary>
internal sealed class ReadApiLogs(TimeProvider time, ILoggerFactory loggers)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(10);
    private readonly LogSample refused = new(time, Every);
    private readonly LogSample throttled = new(time, Every);
    private readonly LogSample watches = new(time, Every);
    private readonly ILogger logger = loggers.CreateLogger("AgentLens.Operator.ReadApi");

    public void Refused(string method, string path, string reason)
    {
        if (refused.Take(out var left))
        {
            Log.AgentTypeRequestsRefused(logger, method, path, reason, left);
        }
    }

    public void Throttled()
    {
        if (throttled.Take(out var left))
        {
            Log.TokenReviewsThrottled(logger, left);
        }
    }

    public void WatchRefused(string reason)
    {
        if (watches.Take(out var left))
        {
            Log.WatchRefused(logger, reason, left);
        }
    }
}
