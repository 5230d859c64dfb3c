using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>The parts of Streamable HTTP the SDK's stateless server does not exercise: sessions, cursors, DELETE.</summary>
[TestFixture]
public sealed class McpIntrospectionTests
{
    [Test]
    public async Task Introspection_HonoursTheSession_FollowsCursors_AndEndsTheSession()
    {
        await using var server = new LoopbackServer((request, stream, ct) =>
        {
            if (request.Path != "/mcp")
            {
                return LoopbackServer.Respond(stream, 404, "{}", ct: ct);
            }

            if (request.Method == "DELETE")
            {
                return LoopbackServer.Respond(stream, 200, string.Empty, ct: ct);
            }

            var body = request.Body;
            var id = System.Text.Json.JsonDocument.Parse(body).RootElement.TryGetProperty("id", out var i) ? i.GetInt32() : 0;
            string Reply(string result) => $$"""{"jsonrpc":"2.0","id":{{id}},"result":{{result}}}""";
            if (body.Contains("\"initialize\"", StringComparison.Ordinal))
            {
                return LoopbackServer.Respond(stream, 200, Reply("""{"protocolVersion":"2025-03-26","capabilities":{"tools":{},"prompts":{}},"serverInfo":{"name":"paged","version":"2"}}"""),
                    ct: ct, headers: ("Mcp-Session-Id", "sess-1"));
            }

            if (body.Contains("notifications/initialized", StringComparison.Ordinal))
            {
                return LoopbackServer.Respond(stream, 202, string.Empty, ct: ct);
            }

            if (body.Contains("\"tools/list\"", StringComparison.Ordinal))
            {
                return body.Contains("\"cursor\":\"p2\"", StringComparison.Ordinal)
                    ? LoopbackServer.Respond(stream, 200, "event: message\ndata: " + Reply("""{"tools":[{"name":"b","inputSchema":{"type":"object"}}]}""") + "\n\n", "text/event-stream", ct)
                    : LoopbackServer.Respond(stream, 200, Reply("""{"tools":[{"name":"a","inputSchema":{"type":"object"}}],"nextCursor":"p2"}"""), ct: ct);
            }

            var notFound = """{"code":-32601,"message":"Method not found"}""";
            return LoopbackServer.Respond(stream, 200, $$"""{"jsonrpc":"2.0","id":{{id}},"error":{{notFound}}}""", ct: ct);
        });
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(fetched.Card.ProtocolVersion, Is.EqualTo("2025-03-26"));
        var mcp = server.Requests.Where(r => r.Path == "/mcp").ToList();
        Assert.That(mcp[0].Body, Does.Contain("\"server/discover\""), "the SDK probes for 2026-07-28 first");
        Assert.That(mcp[1].Body, Does.Contain("\"initialize\""), "and falls back to the initialize handshake");
        Assert.That(fetched.Card.ProtocolVersion, Is.EqualTo("2025-03-26"));
        Assert.That(mcp.Skip(2).Select(r => r.Header("Mcp-Session-Id")), Is.All.EqualTo("sess-1"), "the session id goes back on every request");
        Assert.That(mcp.Skip(2).Select(r => r.Header("MCP-Protocol-Version")), Is.All.EqualTo("2025-03-26"));
        Assert.That(mcp.Any(r => r.Body.Contains("resources/list", StringComparison.Ordinal)), Is.False, "resources were not declared");
        Assert.That(mcp.Last().Method, Is.EqualTo("DELETE"));
    }

    [Test]
    public async Task Introspection_KeepsEachToolsParameters()
    {
        var tools = """
            [{"name":"search","inputSchema":{"type":"object","properties":{"query":{"type":"string","description":"Words to find"},"limit":{"type":"integer"}},"required":["query"]}},
             {"name":"ping","inputSchema":{"type":"object"}}]
            """;
        await using var server = new LoopbackServer((request, stream, ct) => ScriptedMcp.AnswerAsync(request, stream, tools, ct));
        using var harness = new CrawlerHarness();

        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.Capabilities.Single(c => c.Name == "search").Properties[CapabilityProperties.Parameters], Is.EqualTo("query*: Words to find\nlimit"));
        Assert.That(fetched.Card.Capabilities.Single(c => c.Name == "ping").Properties.ContainsKey(CapabilityProperties.Parameters), Is.False);
    }

    [Test]
    public async Task Introspection_WhoseSessionCloseIsNeverAnswered_EndsWithinTheAgentBudget_WithItsTools()
    {
        var deletes = new StrongBox<int>();
        await using var server = ScriptedMcp.HungSessionClose("""[{"name":"kept","inputSchema":{"type":"object"}}]""", deletes);
        using var harness = new CrawlerHarness(c =>
        {
            c.Timeout = TimeSpan.FromSeconds(1);
            c.AgentBudget = TimeSpan.FromSeconds(3);
        });

        long closeTimeouts = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "agentlens_mcp_session_close_failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "reason", Value: "timeout" })
                {
                    Interlocked.Add(ref closeTimeouts, value);
                }
            }
        });
        listener.Start();

        // The bound only stops a hung test: before the fix the session close waited for ever.
        var result = await harness.CrawlAsync(CrawlerHarness.Agent(Protocol.Mcp, server.BaseUrl)).WaitAsync(TimeSpan.FromSeconds(30));

        var fetched = result.Outcome as CardFetched;
        Assert.That(fetched, Is.Not.Null, result.Outcome.ToString());
        Assert.That(fetched!.Card.Capabilities.Select(c => c.Name), Is.EqualTo(new[] { "kept" }), "tools/list was answered: the data is complete");
        Assert.That(fetched.Card.ProtocolVersion, Is.EqualTo("2025-11-25"));
        Assert.That(fetched.IntrospectionFailure, Is.Null, "a session close that never ends is not the agent's failure");
        Assert.That(deletes.Value, Is.EqualTo(1), "the session was closed (and the close went unanswered)");
        Assert.That(Interlocked.Read(ref closeTimeouts), Is.EqualTo(1), "the close that never ended is counted");
    }
}
