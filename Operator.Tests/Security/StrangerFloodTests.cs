using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Issue #25, the cost of strangers: random bearer tokens (each one a TokenReview and a log line on today's
/// code), a watch asking for a timeout of three years, and a crowd of TLS handshakes on the AgentType port
/// while the probes must keep answering. The bounds only stop a hung test.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed partial class StrangerFloodTests
{
    private const int Strangers = 300;
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    [Test]
    public async Task RandomBadTokens_CostFarFewerTokenReviewsAndLogLinesThanRequests()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "tokens");
        var metricsPort = Tools.FreePort();
        var tlsPort = Tools.FreePort();
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "kubernetes", "--metrics-bind-address", $"127.0.0.1:{metricsPort}",
            "--apiserver-bind-address", $"127.0.0.1:{tlsPort}");
        using var direct = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { Timeout = TimeSpan.FromSeconds(30) };
        var before = await CreatesAsync(op.Http, metricsPort);

        var statuses = new List<HttpStatusCode>();
        foreach (var batch in Enumerable.Range(0, Strangers).Chunk(20))
        {
            statuses.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, i % 2 == 0 ? op.BaseUrl : $"https://127.0.0.1:{tlsPort}/apis/agentlens.io/v1alpha1/agenttypes");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"random-{Guid.NewGuid():N}");
                using var response = await direct.SendAsync(request);
                return response.StatusCode;
            })));
        }

        var reviews = await CreatesAsync(op.Http, metricsPort) - before;
        var refusalLines = op.Output.Split('\n').Count(l => l.Contains("AgentType API: refused", StringComparison.Ordinal));

        Assert.That(statuses, Has.All.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests), "nobody is let in");
        Assert.That(reviews, Is.LessThan(Strangers / 3), "TokenReviews are rate-limited");
        Assert.That(refusalLines, Is.LessThan(10), "refusals are logged as a sample with a count");
        Assert.That(op.Output, Does.Not.Contain("random-"), "no token is logged");
    }

    [Test]
    public async Task ManyConcurrentTlsHandshakes_DoNotStopReadyz()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "handshakes");
        var probePort = Tools.FreePort();
        var tlsPort = Tools.FreePort();
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--health-probe-bind-address", $"127.0.0.1:{probePort}",
            "--apiserver-bind-address", $"127.0.0.1:{tlsPort}");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var handshakes = 0;
        var clients = Enumerable.Range(0, 40).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, tlsPort, stop.Token);
                    // A stranger's handshake: whom it talks to does not matter to it.
#pragma warning disable CA5359
                    await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning restore CA5359
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, stop.Token);
                    Interlocked.Increment(ref handshakes);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or AuthenticationException)
                {
                    // Cut at the end of the run, or refused while the port is busy: the next loop tries again.
                }
            }
        })).ToList();

        var probes = new List<HttpStatusCode>();
        var slowest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            var stopwatch = Stopwatch.StartNew();
            using var probe = await op.Http.GetAsync($"http://127.0.0.1:{probePort}/readyz");
            probes.Add(probe.StatusCode);
            slowest = stopwatch.Elapsed > slowest ? stopwatch.Elapsed : slowest;
            await Task.Delay(200);
        }

        await Task.WhenAll(clients);

        Assert.That(handshakes, Is.GreaterThan(40), "the crowd did handshake");
        Assert.That(probes, Is.Not.Empty.And.All.EqualTo(HttpStatusCode.OK));
        // Far beyond the chart's 3 s probe timeout only to keep the test from hanging on a stuck server.
        Assert.That(slowest, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    private static async Task<long> CreatesAsync(HttpClient http, int metricsPort)
    {
        var exposition = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        var match = CreateCount().Match(exposition);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex("^agentlens_apiserver_requests_total\\{[^}]*verb=\"create\"[^}]*\\} (\\d+)", RegexOptions.Multiline)]
    private static partial Regex CreateCount();
}
