using System.Collections.Concurrent;
using System.Diagnostics;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;
using Moq;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Attack 3: one slow tenant tries to hold the cycle for everyone. Each agent gets one deadline for all its
/// requests, its own timeout is capped, and the crawl as a whole ends within its budget. The stopwatch
/// bounds only stop a hung test (each is several times the configured budget); they measure nothing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class StallTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>An MCP server whose tools/list never ends: every page is slow and names a fresh cursor.</summary>
    private static LoopbackServer EndlessPages(TimeSpan perPage) => new((request, stream, ct) => request.Path != "/mcp"
        ? LoopbackServer.Respond(stream, 404, "{}", ct: ct)
        : ScriptedMcp.ServeAsync(request, stream, async (id, s, c) =>
        {
            await Task.Delay(perPage, c);
            await LoopbackServer.Respond(s, 200, $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{"tools":[{"name":"t{{{id}}}","inputSchema":{"type":"object"}}],"nextCursor":"c{{{id}}}"}}""", ct: c);
        }, ct));

    [Test]
    public async Task EndlessSlowPages_EndAtTheAgentBudget()
    {
        await using var server = EndlessPages(TimeSpan.FromMilliseconds(300));
        using var harness = new CrawlerHarness(c =>
        {
            c.Timeout = TimeSpan.FromSeconds(1);
            c.AgentBudget = TimeSpan.FromSeconds(2);
        });

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(Bound);

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.Timeout), failure.Message);
        Assert.That(failure.Message, Does.Contain("agent budget of 2s"));
        Assert.That(server.RequestCount, Is.LessThan(20), "about 2s / 300ms pages, not 50 pages per list");
    }

    [Test]
    public async Task AgentTimeoutAboveTheMaximum_IsCapped()
    {
        // A body that trickles a byte a second; the agent asks for 80s, the operator allows at most 1s.
        await using var server = new LoopbackServer(async (_, stream, ct) =>
        {
            await LoopbackServer.RespondHead(stream, "HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 100\n", ct);
            while (!ct.IsCancellationRequested)
            {
                await stream.WriteAsync(" "u8.ToArray(), ct);
                await Task.Delay(1000, ct);
            }
        });
        using var harness = new CrawlerHarness(c => c.MaxTimeout = TimeSpan.FromSeconds(1));

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, server.BaseUrl, timeout: TimeSpan.FromSeconds(80))).WaitAsync(Bound);

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.Timeout));
        Assert.That(failure.Message, Does.Contain("within 1s"));
    }

    [Test]
    public async Task SlowAgents_CannotHoldTheCrawlBeyondItsBudget_TheRestAreDeferred()
    {
        await using var slow = new LoopbackServer(async (_, stream, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            await LoopbackServer.Respond(stream, 200, SwitchableAgent.Card("late"), ct: ct);
        });
        using var harness = new CrawlerHarness(c =>
        {
            c.Timeout = TimeSpan.FromSeconds(1);
            c.AgentBudget = TimeSpan.FromSeconds(1);
            c.CycleBudget = TimeSpan.FromSeconds(1.5);
            c.Concurrency = 1;
            c.PerHostConcurrency = 1;
        });
        var agents = Enumerable.Range(0, 6)
            .Select(i => new CrawlRequest(CrawlerHarness.Agent(Protocol.A2a, $"{slow.BaseUrl}/agent{i}", cardPath: $"/agent{i}/card.json")))
            .ToList();
        var stopwatch = Stopwatch.StartNew();

        var results = await harness.Crawler.CrawlAsync(agents, CancellationToken.None).WaitAsync(Bound);

        stopwatch.Stop();
        Assert.That(results, Has.Count.EqualTo(6));
        Assert.That(results.Count(r => r.Outcome is CrawlDeferred), Is.GreaterThanOrEqualTo(4));
        Assert.That(results.Count(r => r.Outcome is CrawlFailed), Is.InRange(1, 2));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "six agents at 30s each would take minutes");
    }

    [Test]
    public async Task AgentThatIgnoresEveryDeadline_IsAbandonedAtTheCycleBudget_AsDeferred_AndTheOthersAreDone()
    {
        await using var agent = new SwitchableAgent("fine", "s");
        // A step of one agent's crawl that ignores its token and never ends: nothing inside the agent can stop it.
        var never = new TaskCompletionSource<SignatureVerdict>();
        var verifier = new Mock<ISignatureVerifier>();
        verifier.Setup(v => v.VerifyAsync(It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<DiscoveredAgent>(), It.IsAny<CancellationToken>()))
            .Returns((ReadOnlyMemory<byte> _, DiscoveredAgent a, CancellationToken _) => a.Endpoint.Contains("/hung", StringComparison.Ordinal)
                ? never.Task
                : Task.FromResult(new SignatureVerdict(ConditionStatus.False, SignatureVerdict.Unsigned, "unsigned")));
        using var harness = new CrawlerHarness(c =>
        {
            c.Timeout = TimeSpan.FromSeconds(1);
            c.AgentBudget = TimeSpan.FromSeconds(1);
            c.CycleBudget = TimeSpan.FromSeconds(2);
        }, verifier: verifier.Object);
        var requests = new[] { "a", "hung", "b" }
            .Select(name => new CrawlRequest(CrawlerHarness.Agent(Protocol.A2a, $"{agent.BaseUrl}/{name}", cardPath: $"/{name}/card.json")))
            .ToList();
        var reported = new ConcurrentBag<string>();

        // The bound only stops a hung test: before the fix the crawl waited for the hung agent for ever.
        var results = await harness.Crawler.CrawlAsync(requests, (r, _) =>
        {
            reported.Add(r.Agent.Endpoint);
            return Task.CompletedTask;
        }, CancellationToken.None).WaitAsync(Bound);

        var byName = results.ToDictionary(r => r.Agent.Endpoint[(r.Agent.Endpoint.LastIndexOf('/') + 1)..], r => r.Outcome);
        Assert.That(byName["hung"], Is.InstanceOf<CrawlDeferred>(), "its entry stays as it is");
        Assert.That(byName["a"], Is.InstanceOf<CardFetched>());
        Assert.That(byName["b"], Is.InstanceOf<CardFetched>());
        Assert.That(reported.Select(e => e[(e.LastIndexOf('/') + 1)..]), Is.EquivalentTo(new[] { "a", "b" }), "nothing is reported for the abandoned agent");
        never.SetResult(new SignatureVerdict(ConditionStatus.True, SignatureVerdict.Verified, "late"));
    }
}
