using System.Text;
using AgentLens.Operator.Api;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Security;

/// <summary>Attack 7, the smaller findings: API errors while the API server is down, BOM cards, bare switches, --help.</summary>
[TestFixture]
public sealed class SmallerTests
{
    [Test]
    public async Task ApiServerUnreachableDuringTokenReview_Answers503WithRetryAfterAndAStatus()
    {
        // A real client to a loopback port nobody listens on: the review cannot happen.
        var port = Tools.FreePort();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"https://127.0.0.1:{port}", SkipTlsVerify = true, AccessToken = "x" });
        var reviews = new AccessReviews(client, new FakeTimeProvider(), new ApiOptions(), new AggregatedApiOptions());
        var visibility = new CatalogVisibility(reviews, new AgentLens.Operator.Catalog.StoreNamespace("catalog"), []);
        var access = new KubernetesApiAccess(reviews, visibility, new ReadApiLogs(TimeProvider.System, NullLoggerFactory.Instance), NullLogger<KubernetesApiAccess>.Instance);
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Request.Headers.Authorization = "Bearer some-token";
        http.Response.Body = new MemoryStream();

        var result = await access.CheckAsync(http, CancellationToken.None);
        await result!.ExecuteAsync(http);

        Assert.That(http.Response.StatusCode, Is.EqualTo(503));
        Assert.That(http.Response.Headers.RetryAfter.ToString(), Is.EqualTo("5"));
        var body = Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
        Assert.That(body, Does.Contain("\"kind\":\"Status\"").And.Contain("\"reason\":\"ServiceUnavailable\"").And.Contain("\"code\":503"));
    }

    [Test]
    public void CardWithAUtf8ByteOrderMark_Parses()
    {
        var card = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(SwitchableAgent.Card("Bom", "s"))).ToArray();

        var parsed = new A2aCardParser().Parse(card);

        Assert.That(parsed.DisplayName, Is.EqualTo("Bom"));
    }

    [TestCase(new[] { "--store-raw-card" }, "--AgentLens:Store:StoreRawCard=true")]
    [TestCase(new[] { "--store-raw-card", "--once" }, "--AgentLens:Store:StoreRawCard=true")]
    [TestCase(new[] { "--store-raw-card", "false" }, "--AgentLens:Store:StoreRawCard=false")]
    [TestCase(new[] { "--store-raw-card=false" }, "--AgentLens:Store:StoreRawCard=false")]
    [TestCase(new[] { "--leader-elect" }, "--AgentLens:LeaderElection:Enabled=true")]
    public void BooleanFlag_WorksBare(string[] args, string expected)
    {
        Assert.That(OperatorOptionsRegistration.TryNormalizeArgs(args, out var normalized, out var error), Is.True, error);

        Assert.That(normalized, Does.Contain(expected));
    }

    [Test]
    [Category("Integration")]
    public async Task Help_PrintsEveryFlagWithItsDefault_AndExitsZero()
    {
        var result = await OperatorProcess.RunAsync("--help");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        Assert.That(result.StandardOutput, Does.Contain("--poll-interval").And.Contain("(default: 00:05:00)"));
        Assert.That(result.StandardOutput, Does.Contain("--crawl-timeout").And.Contain("(default: 10s)"));
        Assert.That(result.StandardOutput, Does.Contain("--store-raw-card").And.Contain("--crawl-deny-cidrs").And.Contain("--help"));
    }
}
