namespace AgentLens.Operator.Hosting;

/// <summary>
/// One writer at a time: the timer's full cycles and the event trigger's targeted reconciles take turns, so
/// no entry is ever written by both at once (conflicts between replicas are still settled by
/// resourceVersion). The trigger may also ask for the next full cycle to start early.
/// </summary>
internal sealed class CycleGate : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private TaskCompletionSource early = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when someone asked for the next full cycle to start now.</summary>
    public Task EarlyCycleRequested => Volatile.Read(ref early).Task;

    public void RequestCycle() => Volatile.Read(ref early).TrySetResult();

    /// <summary>A full cycle is starting: a request made before now is served by it.</summary>
    public void CycleStarting()
    {
        if (Volatile.Read(ref early).Task.IsCompleted)
        {
            Volatile.Write(ref early, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    public void Dispose() => gate.Dispose();

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
