using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>
/// Endpoints that try to hurt the crawler. Each crawl must end with the right failure reason within a
/// generous bound (the bound only stops a hung test; it measures nothing) and with bounded memory.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostileEndpointTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private CrawlerHarness harness = null!;

    [SetUp]
    public void SetUp() => harness = new CrawlerHarness(c => c.Timeout = TimeSpan.FromSeconds(1));

    [TearDown]
    public void TearDown() => harness.Dispose();

    private async Task<CrawlFailure> FailureFrom(LoopbackServer server, Protocol protocol = Protocol.A2a, string? baseUrl = null)
    {
        var result = await harness.CrawlAsync(CrawlerHarness.Agent(protocol, baseUrl ?? server.BaseUrl, cardPath: "/card.json")).WaitAsync(Bound);
        Assert.That(result.Outcome, Is.InstanceOf<CrawlFailed>(), result.Outcome.ToString());
        return ((CrawlFailed)result.Outcome).Failure;
    }

    private static async Task Endless(Stream stream, string head, CancellationToken ct)
    {
        await LoopbackServer.RespondHead(stream, head, ct);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        while (!ct.IsCancellationRequested)
        {
            await stream.WriteAsync(chunk, ct);
        }
    }

    [Test]
    public async Task OneGibibyteBody_IsTooLarge_WithBoundedMemory()
    {
        await using var server = new LoopbackServer((_, stream, ct) => Endless(stream, "HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 1073741824\n", ct));
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var failure = await FailureFrom(server);

        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.TooLarge));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(32 * 1024 * 1024));
    }

    [Test]
    public async Task BodyThatNeverEnds_IsTooLarge_WithBoundedMemory()
    {
        await using var server = new LoopbackServer((_, stream, ct) => Endless(stream, "HTTP/1.1 200 OK\nContent-Type: application/json\nConnection: close\n", ct));
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var failure = await FailureFrom(server);

        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.TooLarge));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(32 * 1024 * 1024));
    }

    [Test]
    public async Task BodyTricklingOneBytePerSecond_TimesOut()
    {
        await using var server = new LoopbackServer(async (_, stream, ct) =>
        {
            await LoopbackServer.RespondHead(stream, "HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 100\n", ct);
            while (!ct.IsCancellationRequested)
            {
                await stream.WriteAsync("{"u8.ToArray(), ct);
                await stream.FlushAsync(ct);
                await Task.Delay(1000, ct);
            }
        });

        Assert.That((await FailureFrom(server)).Reason, Is.EqualTo(CrawlFailureReason.Timeout));
    }

    [Test]
    public async Task ServerThatNeverAnswers_TimesOut()
    {
        await using var server = new LoopbackServer((_, _, ct) => Task.Delay(Timeout.Infinite, ct));

        Assert.That((await FailureFrom(server)).Reason, Is.EqualTo(CrawlFailureReason.Timeout));
    }

    [Test]
    public async Task RedirectToAnotherHost_IsRefused()
    {
        await using var server = new LoopbackServer((_, stream, ct) =>
            LoopbackServer.Respond(stream, 302, string.Empty, ct: ct, headers: ("Location", "http://localhost:1/steal.json")));

        var failure = await FailureFrom(server);

        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.Redirect));
        Assert.That(failure.Message, Does.Contain("another origin"));
        Assert.That(server.RequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task RedirectLoop_StopsAfterTheLimit()
    {
        await using var server = new LoopbackServer((request, stream, ct) =>
            LoopbackServer.Respond(stream, 307, string.Empty, ct: ct, headers: ("Location", request.Path == "/card.json" ? "/other.json" : "/card.json")));

        var failure = await FailureFrom(server);

        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.Redirect));
        Assert.That(server.RequestCount, Is.EqualTo(4), "the first request and three redirects");
    }

    [TestCase(500)]
    [TestCase(404)]
    [TestCase(401)]
    public async Task ErrorStatus_IsHttpStatus(int status)
    {
        await using var server = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, status, "{}", ct: ct));

        var failure = await FailureFrom(server);

        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.HttpStatus));
        Assert.That(failure.Message, Does.Contain(status.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task InvalidJson_IsInvalidJson()
    {
        await using var server = LoopbackServer.Json("""{"name": "x", """);

        Assert.That((await FailureFrom(server)).Reason, Is.EqualTo(CrawlFailureReason.InvalidJson));
    }

    [Test]
    public async Task JsonNested100000Deep_IsInvalidJson()
    {
        await using var server = LoopbackServer.Json("""{"name":"x","a":""" + new string('[', 100_000) + new string(']', 100_000) + "}");
        harness.Dispose();
        harness = new CrawlerHarness(c => c.MaxBytes = 1024 * 1024);

        Assert.That((await FailureFrom(server)).Reason, Is.EqualTo(CrawlFailureReason.InvalidJson));
    }

    [Test]
    public async Task HtmlWith200_IsContentType()
    {
        await using var server = LoopbackServer.Json("<html><body>Welcome!</body></html>", "text/html");

        Assert.That((await FailureFrom(server)).Reason, Is.EqualTo(CrawlFailureReason.ContentType));
    }

    [Test]
    public async Task CardWithoutName_IsInvalidCard()
    {
        await using var server = LoopbackServer.Json("""{"description":"who am I"}""");

        var failure = await FailureFrom(server);

        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.InvalidCard));
        Assert.That(failure.Message, Does.Contain("MissingField"));
    }

    [Test]
    public async Task TlsHandshakeFailure_IsTls()
    {
        // A peer that answers the TLS ClientHello with plain text: the handshake cannot succeed.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var peer = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray());
            client.Client.Shutdown(SocketShutdown.Both);
        });

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, $"https://127.0.0.1:{port}", cardPath: "/card.json")).WaitAsync(Bound);
        await peer.WaitAsync(Bound);

        Assert.That(((CrawlFailed)result.Outcome).Failure.Reason, Is.EqualTo(CrawlFailureReason.Tls), result.Outcome.ToString());
    }

    [Test]
    public async Task ConnectionRefused_IsNetwork()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, $"http://127.0.0.1:{port}")).WaitAsync(Bound);

        Assert.That(((CrawlFailed)result.Outcome).Failure.Reason, Is.EqualTo(CrawlFailureReason.Network));
    }

    [Test]
    public async Task McpServerSendingGarbage_FailsWithoutThrowing()
    {
        await using var server = new LoopbackServer((request, stream, ct) => request.Path == "/mcp"
            ? LoopbackServer.Respond(stream, 200, "event: message\ndata: {not json\n\n", "text/event-stream", ct)
            : LoopbackServer.Respond(stream, 404, "{}", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(Bound);

        Assert.That(((CrawlFailed)result.Outcome).Failure.Reason, Is.EqualTo(CrawlFailureReason.InvalidJson));
    }

    [Test]
    public async Task ManyAgentsOnOneHost_NeverMoreThanThePerHostLimitInFlight()
    {
        var inFlight = 0;
        var peak = 0;
        await using var server = new LoopbackServer(async (_, stream, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref inFlight);
            await LoopbackServer.Respond(stream, 200, """{"name":"x"}""", ct: ct);
        });
        var requests = Enumerable.Range(0, 24).Select(i => new CrawlRequest(CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl, cardPath: $"/c{i}.json"))).ToList();

        var results = await harness.Crawler.CrawlAsync(requests, CancellationToken.None).WaitAsync(Bound);

        Assert.That(results.All(r => r.Outcome is CardFetched), Is.True);
        Assert.That(peak, Is.InRange(2, 4));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Test]
    public async Task RequestBodyOfMcpIntrospection_IsJsonRpc()
    {
        await using var server = new LoopbackServer((request, stream, ct) =>
        {
            if (request.Path != "/mcp" || request.Method != "POST")
            {
                return LoopbackServer.Respond(stream, 404, "{}", ct: ct);
            }

            var id = System.Text.Json.JsonDocument.Parse(request.Body).RootElement.TryGetProperty("id", out var i) ? i.GetInt32() : 0;
            return request.Body.Contains("\"initialize\"", StringComparison.Ordinal)
                ? LoopbackServer.Respond(stream, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"s","version":"1"}""" + "}}", ct: ct)
                : LoopbackServer.Respond(stream, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"Method not found"}""" + "}", ct: ct);
        });

        await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(Bound);

        var initialize = server.Requests.First(r => r.Path == "/mcp" && r.Body.Contains("\"method\":\"initialize\"", StringComparison.Ordinal));
        Assert.That(initialize.Method, Is.EqualTo("POST"));
        Assert.That(initialize.Header("Accept"), Does.Contain("text/event-stream"));
        Assert.That(initialize.Body, Does.Contain("\"method\":\"initialize\""));
        Assert.That(Encoding.UTF8.GetByteCount(initialize.Body), Is.GreaterThan(0));
    }

    /// <summary>An MCP server at /mcp whose lists <paramref name="list"/> answers.</summary>
    private static LoopbackServer McpServer(Func<int, Stream, CancellationToken, Task> list) => new((request, stream, ct) => request.Path == "/mcp"
        ? ScriptedMcp.ServeAsync(request, stream, list, ct)
        : LoopbackServer.Respond(stream, 404, "{}", ct: ct));

    [Test]
    public async Task McpListLargerThanTheCap_IsTooLarge_ThroughTheSdk()
    {
        var tools = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $$$"""{"name":"tool-{{{i}}}","inputSchema":{"type":"object"}}"""));
        await using var server = McpServer((id, stream, ct) =>
            LoopbackServer.Respond(stream, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":[{{{tools}}}]}""" + "}", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(Bound);

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.TooLarge), failure.Message);
        Assert.That(failure.Message, Does.Contain("tools/list"));
    }

    [Test]
    public async Task McpEventStreamThatNeverEnds_IsCutAtTheCap_WithBoundedMemory()
    {
        await using var server = McpServer(async (_, stream, ct) =>
        {
            await LoopbackServer.RespondHead(stream, "HTTP/1.1 200 OK\nContent-Type: text/event-stream\nConnection: close\n", ct);
            var ping = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\n", 200)));
            while (!ct.IsCancellationRequested)
            {
                await stream.WriteAsync(ping, ct);
            }
        });
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(Bound);

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.AnyOf(CrawlFailureReason.TooLarge, CrawlFailureReason.Timeout), failure.Message);
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(256 * 1024 * 1024));
    }

    [Test]
    public async Task McpPagesWithoutEnd_StopAtTheirBound_ThroughTheSdk()
    {
        await using var server = McpServer((id, stream, ct) =>
            LoopbackServer.Respond(stream, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":[{"name":"t{{{id}}}","inputSchema":{"type":"object"}}],"nextCursor":"c{{{id}}}"}}""", ct: ct));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(Bound);

        var fetched = (CardFetched)result.Outcome;
        Assert.That(fetched.Card.Capabilities, Has.Length.EqualTo(50), "50 pages of one tool, then no more asking");
        Assert.That(server.RequestCount, Is.LessThan(60));
    }
}
