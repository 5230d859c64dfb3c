namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The operator as a process, from the build output next to the tests.</summary>
internal static class OperatorProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "AgentLens.Operator.dll");

    /// <summary>Runs to completion; loopback ephemeral ports, so runs never collide.</summary>
    public static Task<ProcessResult> RunAsync(params string[] args) => RunWithinAsync(TimeSpan.FromMinutes(2), args);

    /// <summary>As <see cref="RunAsync"/>, killed (a <see cref="TimeoutException"/>) if it has not ended within <paramref name="bound"/>.</summary>
    public static Task<ProcessResult> RunWithinAsync(TimeSpan bound, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--apiserver-bind-address", "0", .. args], bound);
}
