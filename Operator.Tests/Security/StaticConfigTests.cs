using System.Diagnostics;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Attack 6: whoever edits the static sources file tries to hang the parser or read files through a bearer
/// token. Aliases are refused in one linear pass; a token file must be a regular file under an allowed
/// directory and is read through a bounded read whatever size it reports.
/// </summary>
[TestFixture]
public sealed class StaticConfigTests
{
    private string dir = null!;

    [SetUp]
    public void SetUp() => dir = Directory.CreateTempSubdirectory("agentlens-static-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(dir, recursive: true);

    private static StaticFileSource Source(string path, params string[] tokenDirectories) => new(
        new OperatorOptions { StaticSourcesPath = path, Crawl = { TokenDirectories = [.. tokenDirectories] } }.Sources(),
        TestMeterFactory.NewMetrics(), NullLogger<StaticFileSource>.Instance);

    [Test]
    public async Task BillionLaughsInAMappingKey_IsRefusedAtOnce()
    {
        var path = Path.Combine(dir, "sources.yaml");
        var levels = new List<string> { "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]" };
        for (var i = 1; i < 9; i++)
        {
            var name = (char)('a' + i);
            var previous = (char)('a' + i - 1);
            levels.Add($"{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]");
        }

        levels.Add("? *i\n: boom");
        await File.WriteAllTextAsync(path, string.Join("\n", levels) + "\nsources: []\n");
        Assert.That(new FileInfo(path).Length, Is.LessThan(1024), "a small file");
        var stopwatch = Stopwatch.StartNew();

        var e = Assert.ThrowsAsync<SourceException>(() => Source(path).DiscoverAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.That(e!.Reason, Is.EqualTo("InvalidConfig"));
        Assert.That(e.Message, Does.Contain("line 1: YAML anchors and aliases are not allowed"));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "no expansion happened");
    }

    [TestCase("/dev/zero")]
    [TestCase("/proc/self/environ")]
    [TestCase("/var/run/secrets/kubernetes.io/serviceaccount/token")]
    [TestCase("/var/run/secrets/agentlens/../kubernetes.io/serviceaccount/token")]
    public void BearerTokenFileOutsideTheAllowedDirectories_IsRefusedWhenTheFileIsRead(string tokenFile)
    {
        var (_, problems) = StaticFileSource.Parse($"sources:\n  - {{name: x, type: a2a, url: 'http://x.example', bearerTokenFile: '{tokenFile}'}}\n");

        Assert.That(problems.Single(), Does.Contain("bearerTokenFile").And.Contain("not under an allowed directory"));
    }

    [Test]
    public void TokenLinkInAnAllowedDirectory_LeadingToADevice_IsRefused_WithBoundedMemory()
    {
        var link = Path.Combine(dir, "token");
        File.CreateSymbolicLink(link, "/dev/zero");
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var e = Assert.ThrowsAsync<TokenFileException>(() => TokenFile.ReadAsync(link, [dir], 16 * 1024, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("leads outside the allowed directories"));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(1024 * 1024));
    }

    [Test]
    public void DeviceInsideAnAllowedDirectory_IsNotARegularFile()
    {
        // /dev itself as the allowed directory: the file reports size 0 and yields bytes without end.
        var e = Assert.ThrowsAsync<TokenFileException>(() => TokenFile.ReadAsync("/dev/zero", ["/dev/"], 16 * 1024, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("larger than 16384 bytes").Or.Contain("not a regular file"));
    }

    [Test]
    public void ProcFileInsideAnAllowedDirectory_IsNotARegularFile()
    {
        var e = Assert.ThrowsAsync<TokenFileException>(() => TokenFile.ReadAsync("/proc/self/status", ["/proc/"], 16 * 1024, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("not a regular file"));
    }

    [Test]
    public async Task RegularTokenFileThroughASecretVolumeStyleLink_IsRead()
    {
        var data = Directory.CreateDirectory(Path.Combine(dir, "..2026_11_26")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "token"), "s3cret\n");
        File.CreateSymbolicLink(Path.Combine(dir, "token"), Path.Combine(data, "token"));

        var token = await TokenFile.ReadAsync(Path.Combine(dir, "token"), [dir], 16 * 1024, CancellationToken.None);

        Assert.That(token, Is.EqualTo("s3cret"));
    }

    [Test]
    public async Task TokenFileRefused_IsTheAgentsConfigurationFailure_AndNoRequestCarriesIt()
    {
        await using var server = LoopbackServer.Json(SwitchableAgent.Card("x"));
        using var harness = new CrawlerHarness(c => c.TokenDirectories = [dir]);
        var agent = CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl) with { BearerTokenFile = "/proc/self/environ" };

        var result = await harness.CrawlAsync(agent);

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.Configuration));
        Assert.That(failure.Message, Does.Contain("not under an allowed directory"));
        Assert.That(server.RequestCount, Is.Zero);
    }
}
