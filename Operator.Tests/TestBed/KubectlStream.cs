using System.Diagnostics;
using System.Threading.Channels;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>A long-running kubectl (get -w) whose output lines a test reads as they come; killed when disposed.</summary>
internal sealed class KubectlStream : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly List<string> seen = [];

    private KubectlStream(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Writer.TryWrite("stderr: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Every line read so far, for assertion messages.</summary>
    public string Seen => string.Join('\n', seen);

    public static KubectlStream Start(string kubeconfig, params string[] args)
    {
        var info = new ProcessStartInfo(Tools.Kubectl) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--kubeconfig", kubeconfig, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        return new KubectlStream(Process.Start(info)!);
    }

    /// <summary>Reads lines until one matches; throws with everything seen when none does in time.</summary>
    public async Task<string> NextMatchingAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await lines.Reader.ReadAsync(deadline.Token);
                seen.Add(line);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching line within {timeout}; seen:\n{Seen}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
