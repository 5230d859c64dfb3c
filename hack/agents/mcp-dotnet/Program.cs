using System.ComponentModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// A real MCP server for tests: the official C# SDK over Streamable HTTP at /mcp, speaking 2026-07-28 only.
// Usage: dotnet AgentLens.McpAgent.dll [port] [name]   (port 0 = any free port; prints "listening <port>")
// Environment, for the freshness tests (both off by default):
//   MCP_TTL_MS=5000      tools/list results carry ttlMs (and cacheScope public), the SDK's ICacheableResult.
//   MCP_LIST_CHANGED=1   tools.listChanged is announced, and subscriptions/listen streams
//                        notifications/tools/list_changed whenever the tool list changes.
// Control (loopback only): POST /control/add-tool?name=N adds a tool to every later request's tool collection;
// GET /control/stats says {"toolsList": requests answered, "streams": subscriptions/listen streams open, "opened": ever};
// POST /control/end-streams ends every subscriptions/listen stream (its request is answered).
var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 0;
var name = args.Length > 1 ? args[1] : "tickets-mcp";
var ttl = int.TryParse(Environment.GetEnvironmentVariable("MCP_TTL_MS"), out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
var announce = Environment.GetEnvironmentVariable("MCP_LIST_CHANGED") == "1";
var stats = new Stats();
using var changes = new ToolListChanges();
var added = new System.Collections.Concurrent.ConcurrentQueue<McpServerTool>();

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
var mcp = builder.Services.AddMcpServer(options =>
{
    options.ServerInfo = new Implementation { Name = name, Version = "3.1.0" };
    options.ProtocolVersion = "2026-07-28";
    if (announce)
    {
        options.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
    }
}).WithHttpTransport(http =>
{
    http.Stateless = true;
    // Stateless, the SDK builds each request's options afresh from the registered tools: the ones added
    // at run time join them here.
    http.ConfigureSessionOptions = (_, options, _) =>
    {
        options.ToolCollection ??= [];
        foreach (var tool in added)
        {
            options.ToolCollection.Add(tool);
        }

        return Task.CompletedTask;
    };
}).WithTools<TicketTools>()
.WithRequestFilters(filters => filters.AddListToolsFilter(next => async (request, cancellationToken) =>
{
    Interlocked.Increment(ref stats.ToolsList);
    var result = await next(request, cancellationToken);
    if (ttl is { } t)
    {
        result.TimeToLive = t;
        result.CacheScope = CacheScope.Public;
    }

    return result;
}));
if (announce)
{
    // A stateless server has no session to push list_changed on; 2026-07-28 carries it on the held-open
    // subscriptions/listen response, which the SDK leaves to the server's own handler.
    mcp.WithSubscriptionsListenHandler(async (request, cancellationToken) =>
    {
        var id = request.JsonRpcRequest.Id;
        var wanted = request.Params?.Notifications?.ToolsListChanged == true;
        using var changed = changes.Listen();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, changes.Ending);
        Interlocked.Increment(ref stats.Listening);
        Interlocked.Increment(ref stats.Opened);
        try
        {
            var granted = new SubscriptionsAcknowledgedNotificationParams { Notifications = new SubscriptionsListenNotifications { ToolsListChanged = wanted ? true : null } };
            await request.Server.SendMessageAsync(Tagged(NotificationMethods.SubscriptionsAcknowledgedNotification, JsonSerializer.SerializeToNode(granted, McpJsonUtilities.DefaultOptions), id), cancellationToken);
            // One notification per change, as the SDK's own session fan-out sends them: coalescing is the client's job.
            await foreach (var _ in changed.Reader.ReadAllAsync(ended.Token))
            {
                if (wanted)
                {
                    await request.Server.SendMessageAsync(Tagged(NotificationMethods.ToolListChangedNotification, null, id), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The client closed the stream, or the server ends it.
        }
        finally
        {
            Interlocked.Decrement(ref stats.Listening);
        }

        return new EmptyResult();
    });
}

var app = builder.Build();
app.MapMcp("/mcp");
app.MapPost("/control/add-tool", (HttpContext http, string name) =>
{
    if (!IPAddress.IsLoopback(http.Connection.RemoteIpAddress!))
    {
        return Results.StatusCode(403);
    }

    added.Enqueue(McpServerTool.Create((string id) => $"{name} {id}", new McpServerToolCreateOptions { Name = name, Description = $"Added at run time: {name}" }));
    changes.Publish();
    return Results.Ok();
});
app.MapPost("/control/end-streams", (HttpContext http) =>
{
    if (!IPAddress.IsLoopback(http.Connection.RemoteIpAddress!))
    {
        return Results.StatusCode(403);
    }

    changes.EndAll();
    return Results.Ok();
});
app.MapGet("/control/stats", (HttpContext http) => IPAddress.IsLoopback(http.Connection.RemoteIpAddress!)
    ? Results.Text($$"""{"toolsList":{{Volatile.Read(ref stats.ToolsList)}},"streams":{{Volatile.Read(ref stats.Listening)}},"opened":{{Volatile.Read(ref stats.Opened)}}}""", "application/json")
    : Results.StatusCode(403));
await app.StartAsync();
var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
Console.WriteLine($"listening {bound}");
await app.WaitForShutdownAsync();

// A notification on a subscriptions/listen stream carries the listen request's id (SEP-2575), so a client
// sharing a channel can tell its subscriptions apart.
static JsonRpcNotification Tagged(string method, JsonNode? parameters, RequestId id)
{
    var body = parameters as JsonObject ?? new JsonObject();
    body["_meta"] = new JsonObject { [MetaKeys.SubscriptionId] = id.Id is long number ? JsonValue.Create(number) : JsonValue.Create(id.Id?.ToString()) };
    return new JsonRpcNotification { Method = method, Params = body };
}

[McpServerToolType]
internal sealed class TicketTools
{
    [McpServerTool(Name = "find_ticket"), Description("Finds a ticket by its id")]
    public static string FindTicket(string id) => $"ticket {id}";

    [McpServerTool(Name = "close_ticket"), Description("Closes a ticket")]
    public static string CloseTicket(string id) => $"closed {id}";
}

internal sealed class Stats
{
    public int ToolsList;
    public int Listening;
    public int Opened;
}

/// <summary>Fans a tool-list change out to every open subscriptions/listen stream.</summary>
internal sealed class ToolListChanges : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<System.Threading.Channels.Channel<bool>> listeners = [];
    private CancellationTokenSource ending = new();

    /// <summary>Cancelled when the streams open now are to end.</summary>
    public CancellationToken Ending
    {
        get
        {
            lock (gate)
            {
                return ending.Token;
            }
        }
    }

    public void EndAll()
    {
        CancellationTokenSource ended;
        lock (gate)
        {
            (ended, ending) = (ending, new CancellationTokenSource());
        }

        ended.Cancel();
        ended.Dispose();
    }

    public Listener Listen()
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        lock (gate)
        {
            listeners.Add(channel);
        }

        return new Listener(channel, () =>
        {
            lock (gate)
            {
                listeners.Remove(channel);
            }
        });
    }

    public void Dispose()
    {
        lock (gate)
        {
            ending.Dispose();
        }
    }

    public void Publish()
    {
        lock (gate)
        {
            foreach (var channel in listeners)
            {
                channel.Writer.TryWrite(true);
            }
        }
    }

    internal sealed class Listener(System.Threading.Channels.Channel<bool> channel, Action leave) : IDisposable
    {
        public System.Threading.Channels.ChannelReader<bool> Reader => channel.Reader;

        public void Dispose() => leave();
    }
}
