using System.Diagnostics;
using System.Text;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The operator running as a process with its catalog API on a loopback port, stopped when disposed.</summary>
internal sealed class OperatorServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private OperatorServer(Process process, int port)
    {
        this.process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/api/v1/agents";
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the operator for <paramref name="storeNamespace"/>, discovering nothing, its API on a free port.</summary>
    public static async Task<OperatorServer> StartAsync(ControlPlane cp, string storeNamespace, params string[] extra)
    {
        var port = Tools.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])[OperatorProcess.Dll, "--kubeconfig", cp.KubeconfigPath, "--store-namespace", storeNamespace, "--namespaces", storeNamespace,
            "--static-sources", "/nonexistent", "--leader-elect=false", "--poll-interval", "1h", "--api-bind-address", $"127.0.0.1:{port}", "--crawl-allow-cidrs", "127.0.0.1/32",
            "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--apiserver-bind-address", "0", .. extra])
        {
            info.ArgumentList.Add(arg);
        }

        var server = new OperatorServer(Process.Start(info)!, port);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var response = await server.Http.GetAsync(server.BaseUrl, deadline.Token);
                if ((int)response.StatusCode is 200 or 401)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (server.process.HasExited)
            {
                throw new InvalidOperationException("the operator exited: " + server.Output);
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
