namespace AgentLens.Operator.Hosting;

/// <summary>Whether the API server answers, checked at most every few seconds however often probes come.</summary>
internal sealed class ApiServerReachability(IKubernetes client, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim gate = new(1, 1);
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;
    private string? lastProblem = "not checked yet";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - checkedAt < CacheFor)
            {
                return lastProblem;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await client.Version.GetCodeAsync(linked.Token);
                lastProblem = null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                lastProblem = e.Message;
            }

            checkedAt = time.GetUtcNow();
            return lastProblem;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
