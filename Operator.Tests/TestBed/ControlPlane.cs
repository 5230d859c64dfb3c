using System.Diagnostics;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// A real etcd + kube-apiserver on loopback, shared by the whole test run (the envtest convention), started
/// on first use through hack/controlplane.sh. Everything it starts is recorded by pid in its own temp
/// folder and stopped at the end of the run, on process exit, and — should a run be killed outright — by
/// the next run, which stops the leftovers of any run whose owning process is gone.
/// </summary>
internal sealed class ControlPlane
{
    private const string DirPrefix = "agentlens-cp-";
    private static readonly Lazy<Task<ControlPlane>> SharedInstance = new(() => StartAsync(shared: true));
    private static readonly Lock StopLock = new();
    private static ControlPlane? started;

    private ControlPlane(string dir, string kubeconfigPath)
    {
        Dir = dir;
        KubeconfigPath = kubeconfigPath;
        Configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
        Client = new Kubernetes(Configuration);
    }

    public string Dir { get; }
    public string KubeconfigPath { get; }
    public KubernetesClientConfiguration Configuration { get; }

    /// <summary>A client with cluster-admin rights.</summary>
    public IKubernetes Client { get; }

    public static Task<ControlPlane> SharedAsync() => SharedInstance.Value;

    /// <summary>
    /// One more control plane of the test's own (a fleet: a hub and its members), on its own ports and data;
    /// stopped by <see cref="StopAsync"/>, and like the shared one at process exit and by the next run's sweep.
    /// Each costs an etcd and a kube-apiserver (~300 MiB): keep them few.
    /// </summary>
    public static async Task<ControlPlane> StartOwnAsync()
    {
        var cp = await StartAsync(shared: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cp.Stop();
        return cp;
    }

    /// <summary>Stops a control plane from <see cref="StartOwnAsync"/>.</summary>
    public Task StopAsync() => Task.Run(Stop);

    /// <summary>A fresh client on the same credentials, for code under test that disposes its own.</summary>
    public IKubernetes NewClient() => new Kubernetes(Configuration);

    /// <summary>A client acting as a service account, with a token minted by the API server (TokenRequest).</summary>
    public async Task<(IKubernetes Client, string Token)> ServiceAccountClientAsync(string @namespace, string name)
    {
        try
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, @namespace);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Already there: a second client for the same account.
        }

        var request = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600, Audiences = ["https://kubernetes.default.svc.cluster.local"] } },
            name, @namespace);
        var token = request.Status.Token;
        var config = new KubernetesClientConfiguration { Host = Configuration.Host, AccessToken = token, SkipTlsVerify = true };
        return (new Kubernetes(config), token);
    }

    public static void StopShared()
    {
        lock (StopLock)
        {
            var cp = started;
            started = null;
            cp?.Stop();
        }
    }

    public Task StopApiServerAsync() => ScriptAsync("stop-apiserver", Dir);

    public Task StartApiServerAsync() => ScriptAsync("start-apiserver", Dir);

    private static async Task<ControlPlane> StartAsync(bool shared)
    {
        if (shared)
        {
            CleanUpLeftovers();
        }

        var dir = Path.Combine(Path.GetTempPath(), $"{DirPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "owner"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var result = await ScriptAsync("start", dir);
        var cp = new ControlPlane(dir, result.StandardOutput.Trim().Split('\n')[^1]);
        if (shared)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopShared();
            lock (StopLock)
            {
                started = cp;
            }
        }

        return cp;
    }

    private static async Task<ProcessResult> ScriptAsync(string command, string dir)
    {
        // The first run on a fresh machine builds kube-apiserver: allow for it.
        var result = await ProcessRunner.RunAsync(Repo.Path("hack", "controlplane.sh"), [command, dir], TimeSpan.FromMinutes(25));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"hack/controlplane.sh {command} failed ({result.ExitCode}): {result.StandardError}");
        }

        return result;
    }

    private void Stop()
    {
        if (!Directory.Exists(Dir))
        {
            return;
        }

        using var process = Process.Start("bash", [Repo.Path("hack", "controlplane.sh"), "stop", Dir]);
        process.WaitForExit(TimeSpan.FromSeconds(30));
        KeepFaults(Dir, Environment.GetEnvironmentVariable("AGENTLENS_CONTROLPLANE_FAULTS"));
        Client.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the next run's leftover sweep removes it.
        }
    }

    /// <summary>
    /// A kube-apiserver that panicked or faulted makes every test after it suspect, however they ended: its log
    /// is kept in <c>AGENTLENS_CONTROLPLANE_FAULTS</c> (the Makefile points it at the results folder, where
    /// hack/test-summary.sh counts each such log as a failure) and the lines go to stderr.
    /// </summary>
    internal static bool KeepFaults(string dir, string? faults)
    {
        var check = ProcessRunner.RunAsync(Repo.Path("hack", "controlplane.sh"), ["check", dir], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (check.ExitCode == 0)
        {
            return false;
        }

        Console.Error.WriteLine(check.StandardError);
        if (!string.IsNullOrEmpty(faults))
        {
            Directory.CreateDirectory(faults);
            var name = Path.Combine(faults, $"controlplane-fault-{Path.GetFileName(dir)}");
            File.Copy(Path.Combine(dir, "apiserver.log"), name + ".log", overwrite: true);
            File.WriteAllText(name + ".txt", check.StandardError);
        }

        return true;
    }

    private static void CleanUpLeftovers()
    {
        var tmp = Path.GetTempPath().TrimEnd('/');
        using var process = Process.Start("bash", [Repo.Path("hack", "controlplane.sh"), "sweep", tmp]);
        process.WaitForExit(TimeSpan.FromSeconds(30));
    }
}
