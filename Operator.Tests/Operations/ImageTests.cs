using System.Text.Json;
using System.Text.RegularExpressions;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Operations;

/// <summary>
/// No container engine runs here, so the image is checked by what it is made of: the Dockerfile's shape, and
/// the published output started exactly as the Dockerfile's ENTRYPOINT starts it, with the chart's arguments.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed partial class ImageTests
{
    private static readonly string Dockerfile = File.ReadAllText(Repo.Path("Dockerfile"));

    [GeneratedRegex(@"^ENTRYPOINT\s+(\[.*\])\s*$", RegexOptions.Multiline)]
    private static partial Regex EntrypointLine();

    [Test]
    public void Dockerfile_RestoresInItsOwnLayer_AndRunsAsANumericNonRootUser()
    {
        var restore = Dockerfile.IndexOf("RUN dotnet restore", StringComparison.Ordinal);
        var copySources = Dockerfile.IndexOf("COPY Operator/ Operator/", StringComparison.Ordinal);

        Assert.That(restore, Is.GreaterThan(0).And.LessThan(copySources), "restore before the sources are copied");
        Assert.That(Dockerfile, Does.Match(@"(?m)^USER \d+:\d+$"));
        Assert.That(Dockerfile, Does.Contain("FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"));
    }

    [Test]
    public async Task PublishedOutput_StartsWithTheEntrypointAndTheChartsArguments()
    {
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "image");
        var publish = Directory.CreateTempSubdirectory("agentlens-publish-");
        try
        {
            var published = await ProcessRunner.RunAsync("dotnet", ["publish", Repo.Path("Operator", "Operator.csproj"), "-c", "Release", "-o", publish.FullName, "-p:UseAppHost=false", "-nologo", "-v", "q"], TimeSpan.FromMinutes(5));
            Assert.That(published.ExitCode, Is.Zero, published.StandardOutput + published.StandardError);

            var entrypoint = JsonSerializer.Deserialize<string[]>(EntrypointLine().Match(Dockerfile).Groups[1].Value)!;
            var chartArgs = await ChartArgsAsync();
            // The chart's mounted serving certificate, made here.
            var tls = AggregatedApi.ServingCertificate(Path.Combine(publish.FullName, "tls"), "agentlens-apiserver.image.svc");
            // The image's paths and ports, moved to this machine: /app → the publish folder, listeners on loopback.
            string[] args =
            [
                .. entrypoint.Skip(1).Select(a => a.Replace("/app/", publish.FullName + "/", StringComparison.Ordinal)),
                .. chartArgs.Select(a => Regex.Replace(a, @"^(--(metrics|health-probe|api|apiserver)-bind-address)=:\d+$", "$1=127.0.0.1:0")
                    .Replace("/etc/agentlens-apiserver-tls/", Path.GetDirectoryName(tls.CertFile) + "/", StringComparison.Ordinal)),
                "--once", "--kubeconfig", cp.KubeconfigPath, "--store-namespace", store, "--namespaces", store,
            ];
            var result = await ProcessRunner.RunAsync(entrypoint[0], args, TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" });

            Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
            Assert.That(chartArgs, Has.Some.StartsWith("--poll-interval=").And.Some.StartsWith("--crawl-timeout="));
        }
        finally
        {
            publish.Delete(recursive: true);
        }
    }

    /// <summary>The operator's container arguments as the chart renders them by default.</summary>
    private static async Task<List<string>> ChartArgsAsync()
    {
        var rendered = await Tools.HelmAsync("template", "agentlens", Repo.Path("charts", "agentlens-operator"), "--show-only", "templates/deployment.yaml");
        Assert.That(rendered.ExitCode, Is.Zero, rendered.StandardError);
        var lines = rendered.StandardOutput.Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == "args:");
        return [.. lines.Skip(start + 1).TakeWhile(l => l.TrimStart().StartsWith("- --", StringComparison.Ordinal)).Select(l => l.Trim()[2..])];
    }
}
