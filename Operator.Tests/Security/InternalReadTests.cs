using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Attack 1: a tenant who may edit Services in its own namespace tries to read internal services through
/// the catalog. Stand-ins for internal services listen on 127.0.0.2 (denied: loopback is allowed to the
/// tests only as 127.0.0.1/32) or behind a redirect, and serve a perfectly good card carrying a secret.
/// Each test asserts the refusal reason, that the stand-in was never asked, and that the secret is in no
/// ConfigMap, Event or log line.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class InternalReadTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    [Test]
    public async Task CardPathNamingAnotherHost_IsRefusedOnTheService()
    {
        var secret = Tenant.Secret();
        await using var internalService = Tenant.InternalService(secret);
        await using var agent = new SwitchableAgent("Honest", "skill");
        using var h = await ReconcilerHarness.CreateAsync(cp);
        var port = new Uri(agent.BaseUrl).Port;
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "reader", "127.0.0.1", port,
            new() { ["agentlens.io/card-path"] = $"{internalService.BaseUrl}/card" });

        var report = await h.CycleAsync();

        Assert.That(report.Result, Is.EqualTo("success"));
        Assert.That(await h.EntriesAsync(), Is.Empty);
        var events = await Tenant.EventsAboutAsync(cp.Client, h.ServicesNamespace, "reader");
        Assert.That(events.Select(e => e.Reason), Does.Contain("CardPathNotOnService"));
        Assert.That(events.Single(e => e.Reason == "CardPathNotOnService").Type, Is.EqualTo("Warning"));
        Assert.That(internalService.RequestCount, Is.Zero);
        await Tenant.AssertNowhereAsync(cp.Client, secret, h.Logs, h.StoreNamespace, h.ServicesNamespace);
    }

    [Test]
    public async Task CardPathWithCredentials_IsRefusedAndNeverStored()
    {
        await using var agent = new SwitchableAgent("Honest", "skill");
        using var h = await ReconcilerHarness.CreateAsync(cp);
        var port = new Uri(agent.BaseUrl).Port;
        var password = Tenant.Secret();
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "creds", "127.0.0.1", port,
            new() { ["agentlens.io/card-path"] = $"http://user:{password}@127.0.0.1:{port}/.well-known/agent-card.json" });

        await h.CycleAsync();

        Assert.That(await h.EntriesAsync(), Is.Empty);
        var events = await Tenant.EventsAboutAsync(cp.Client, h.ServicesNamespace, "creds");
        Assert.That(events.Single().Reason, Is.EqualTo("CardPathNotOnService"));
        Assert.That(events.Single().Message, Does.Contain("credentials"));
        await Tenant.AssertNowhereAsync(cp.Client, password, h.Logs, h.StoreNamespace, h.ServicesNamespace);
    }

    [Test]
    public async Task ExternalNameNamingADeniedAddress_IsNeverConnectedTo()
    {
        var secret = Tenant.Secret();
        await using var internalService = Tenant.InternalService(secret);
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "scanner", internalService.Address, internalService.Port);

        await h.CycleAsync();

        var entry = (await h.SingleAsync()).Entry!;
        Assert.That(entry.Status.Lifecycle, Is.EqualTo(Lifecycle.Registered));
        Assert.That(entry.Status.LastError, Does.StartWith(nameof(CrawlFailureReason.DeniedAddress)));
        Assert.That(entry.Status.DisplayName, Is.Null);
        Assert.That(internalService.RequestCount, Is.Zero);
        await Tenant.AssertNowhereAsync(cp.Client, secret, h.Logs, h.StoreNamespace, h.ServicesNamespace);
    }

    [Test]
    public async Task RedirectToAnotherPortOfTheSameHost_IsNotFollowed()
    {
        var secret = Tenant.Secret();
        await using var internalService = Tenant.InternalService(secret, "127.0.0.1");
        await using var redirector = new LoopbackServer((_, stream, ct) =>
            LoopbackServer.Respond(stream, 302, string.Empty, ct: ct, headers: ("Location", $"{internalService.BaseUrl}/card")));
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "bouncer", "127.0.0.1", redirector.Port);

        await h.CycleAsync();

        var entry = (await h.SingleAsync()).Entry!;
        Assert.That(entry.Status.LastError, Does.StartWith(nameof(CrawlFailureReason.Redirect)).And.Contain("another origin"));
        Assert.That(internalService.RequestCount, Is.Zero);
        await Tenant.AssertNowhereAsync(cp.Client, secret, h.Logs, h.StoreNamespace, h.ServicesNamespace);
    }

    [TestCase("text/html", "<html><body>{0}</body></html>", "ContentType")]
    [TestCase("application/json", "<{0}>", "InvalidJson")]
    [TestCase("application/json", "{0}", "InvalidJson")]
    [TestCase("application/json", "{{\"name\": \"{0}\", \"skills\": 7}}", "InvalidCard")]
    [TestCase("text/plain", "{{\"name\": \"{0}", "InvalidJson")]
    public async Task NonCardBody_LeaksNoByteIntoStatusEventsOrLogs(string contentType, string bodyFormat, string expected)
    {
        var secret = Tenant.Secret();
        var body = string.Format(CultureInfo.InvariantCulture, bodyFormat, secret);
        await using var page = new LoopbackServer((_, stream, ct) => LoopbackServer.Respond(stream, 200, body, contentType, ct));
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Store.StoreRawCard = true);
        await Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "page", "127.0.0.1", page.Port);

        await h.CycleAsync();

        var entry = (await h.SingleAsync()).Entry!;
        Assert.That(entry.Status.LastError, Does.StartWith(expected));
        Assert.That(page.RequestCount, Is.GreaterThan(0));
        await Tenant.AssertNowhereAsync(cp.Client, secret, h.Logs, h.StoreNamespace, h.ServicesNamespace);
    }

    [Test]
    public async Task HostnameResolvingToADeniedAddress_IsRefusedAtConnectTime()
    {
        // No loopback allowance at all: "localhost" resolves to loopback, which is denied whatever the name says.
        using var strict = new CrawlerHarness(c => c.AllowCidrs = []);
        var secret = Tenant.Secret();
        await using var internalService = Tenant.InternalService(secret, "127.0.0.1");

        var result = await strict.CrawlAsync(CrawlerHarness.Agent(Protocol.A2a, $"http://localhost:{internalService.Port}"));

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.DeniedAddress));
        Assert.That(failure.Message, Does.Contain("denied addresses"));
        Assert.That(internalService.RequestCount, Is.Zero);
    }

    [Test]
    public async Task McpErrorText_StaysOutOfTheFailure()
    {
        var secret = Tenant.Secret();
        await using var server = new LoopbackServer((request, stream, ct) =>
        {
            if (request.Method != "POST")
            {
                return LoopbackServer.Respond(stream, 404, "{}", ct: ct);
            }

            var id = System.Text.Json.JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetInt32();
            return LoopbackServer.Respond(stream, 200, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":-32000,\"message\":\"" + secret + "\"}}", ct: ct);
        });
        using var crawler = new CrawlerHarness();

        var result = await crawler.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var failure = ((CrawlFailed)result.Outcome).Failure;
        Assert.That(failure.Reason, Is.EqualTo(CrawlFailureReason.InvalidCard));
        Assert.That(failure.Message, Does.Contain("-32000").And.Not.Contain(secret));
    }
}
