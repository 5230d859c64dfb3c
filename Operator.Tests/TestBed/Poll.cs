namespace AgentLens.Operator.Tests.TestBed;

/// <summary>Reading something that settles on its own time (an aggregated API, RBAC caches) until it is as expected.</summary>
internal static class Poll
{
    /// <summary>What <paramref name="read"/> last returned once <paramref name="done"/> holds; a timeout with it when it never does.</summary>
    public static async Task<string> UntilAsync(Func<Task<string>> read, Func<string, bool> done, int seconds = 60)
    {
        var last = string.Empty;
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            last = await read();
            if (done(last))
            {
                return last;
            }
        }

        throw new TimeoutException($"not reached in {seconds}s; last:\n{last}");
    }
}
