using System.Net;
using System.Net.Sockets;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The real tools the operations tests drive: helm and kubectl from the control-plane assets, prometheus from Debian.</summary>
internal static class Tools
{
    private static readonly Lazy<string> AssetsDir = new(() =>
    {
        var env = Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, "helm")))
        {
            return env;
        }

        var result = ProcessRunner.RunAsync(Repo.Path("hack", "controlplane-assets.sh"), [], TimeSpan.FromMinutes(25)).GetAwaiter().GetResult();
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : throw new InvalidOperationException(result.StandardError);
    });

    public static string Helm => Path.Combine(AssetsDir.Value, "helm");
    public static string Kubectl => Path.Combine(AssetsDir.Value, "kubectl");

    public static Task<ProcessResult> HelmAsync(params string[] args) => ProcessRunner.RunAsync(Helm, args, TimeSpan.FromMinutes(2), HelmEnvironment());

    public static Task<ProcessResult> KubectlAsync(string kubeconfig, params string[] args) =>
        ProcessRunner.RunAsync(Kubectl, ["--kubeconfig", kubeconfig, .. args], TimeSpan.FromMinutes(2));

    /// <summary>helm keeps its cache and config in a folder of the test run, never in the user's home.</summary>
    private static Dictionary<string, string> HelmEnvironment()
    {
        var home = Path.Combine(Path.GetTempPath(), "agentlens-helm-home");
        Directory.CreateDirectory(home);
        return new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
        };
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
