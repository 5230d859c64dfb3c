using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentLens.Operator.Domain;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// <c>--mcp-subscribe</c>: a bounded set of long-lived connections to MCP servers that announce
/// <c>list_changed</c>, with the official SDK client — <c>subscriptions/listen</c> on 2026-07-28, the standalone
/// GET stream of a session on older revisions. A <c>notifications/{tools,prompts,resources}/list_changed</c>
/// names the entry on <see cref="Changed"/> (a bounded channel: a flood drops the oldest, and the schedule
/// coalesces the rest). Each subscription has its own HTTP client over its own handler, so it never takes a
/// crawl slot; it goes only where the address policy allows, carries at most <c>subscriptionMaxBytes</c>
/// before it is dropped, and is opened again after a backoff (1s doubling to 5m) whenever it ends — the
/// listen request answered or failed, the session over, or its GET stream refused or ended (<see cref="GetStreamWatch"/>).
/// </summary>
internal sealed class McpSubscriptions(HttpMessageHandler handler, CrawlOptions crawl, McpOptions options, TimeProvider time, Metrics metrics, ILogger<McpSubscriptions> logger) : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private static readonly string[] ListChanged = [NotificationMethods.ToolListChangedNotification, NotificationMethods.PromptListChangedNotification, NotificationMethods.ResourceListChangedNotification];
    private readonly Dictionary<string, (McpListHints Hints, CancellationTokenSource Stop)> held = new(StringComparer.Ordinal);
    private readonly Channel<string> changed = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Lock gate = new();
    private bool capped;

    /// <summary>Endpoints whose server said a list changed, in arrival order.</summary>
    public ChannelReader<string> Changed => changed.Reader;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }

    /// <summary>Holds a subscription for each announcing server (the first <c>maxSubscriptions</c> by endpoint), and drops the others.</summary>
    public void Sync(IReadOnlyList<(DiscoveredAgent Agent, McpListHints Hints)> announcing, CancellationToken stopping)
    {
        lock (gate)
        {
            var wanted = announcing.Take(options.MaxSubscriptions).ToDictionary(a => a.Agent.Endpoint, StringComparer.Ordinal);
            if (announcing.Count > options.MaxSubscriptions && !capped)
            {
                Log.McpSubscriptionsCapped(logger, announcing.Count, options.MaxSubscriptions);
            }

            capped = announcing.Count > options.MaxSubscriptions;
            foreach (var (endpoint, (hints, stop)) in held.ToList())
            {
                if (!wanted.TryGetValue(endpoint, out var want) || want.Hints != hints)
                {
                    stop.Cancel();
                    stop.Dispose();
                    held.Remove(endpoint);
                }
            }

            foreach (var (endpoint, (agent, hints)) in wanted.Where(w => !held.ContainsKey(w.Key)))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                held[endpoint] = (hints, stop);
                _ = HoldAsync(agent, hints, stop.Token);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var (_, stop) in held.Values)
            {
                stop.Cancel();
                stop.Dispose();
            }

            held.Clear();
        }
    }

    /// <summary>One subscription, opened again after each end until it is no longer wanted.</summary>
    private async Task HoldAsync(DiscoveredAgent agent, McpListHints hints, CancellationToken stop)
    {
        var backoff = FirstBackoff;
        while (!stop.IsCancellationRequested)
        {
            var opened = time.GetTimestamp();
            var reason = await ListenOnceAsync(agent, hints, stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            // A subscription that held for a while earned a fresh start; one that keeps failing waits longer each time.
            backoff = time.GetElapsedTime(opened) > MaxBackoff ? FirstBackoff : backoff;
            Log.McpSubscriptionEnded(logger, hints.McpUrl, reason, backoff.TotalSeconds);
            try
            {
                await Task.Delay(backoff, time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
        }
    }

    /// <summary>Opens the subscription and waits for it to end; says why it ended, never quoting the server.</summary>
    private async Task<string> ListenOnceAsync(DiscoveredAgent agent, McpListHints hints, CancellationToken stop)
    {
        var budget = new CappedResponseHandler(options.SubscriptionMaxBytes, handler);
        var watch = new GetStreamWatch(budget);
        using var http = new HttpClient(watch, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        McpClient? client = null;
        try
        {
            var headers = new Dictionary<string, string>(agent.Headers, StringComparer.OrdinalIgnoreCase);
            if (agent.BearerTokenFile is { } tokenFile)
            {
                headers["Authorization"] = "Bearer " + await TokenFile.ReadAsync(tokenFile, crawl.EffectiveTokenDirectories, 16 * 1024, stop);
            }

            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(hints.McpUrl),
                TransportMode = HttpTransportMode.StreamableHttp,
                ConnectionTimeout = crawl.Timeout,
                AdditionalHeaders = headers,
                // Older revisions: the session's GET stream carries the notifications; 2026-07-28 has subscriptions/listen.
                EnableStandaloneGetStream = !hints.Listen,
                MaxReconnectionAttempts = 0,
            }, http, loggerFactory: null, ownsHttpClient: false);
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(stop);
            connect.CancelAfter(crawl.AgentBudget);
            client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "agentlens-operator", Version = typeof(McpSubscriptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
                InitializationTimeout = crawl.Timeout,
            }, loggerFactory: null, connect.Token);
            foreach (var method in ListChanged)
            {
                client.RegisterNotificationHandler(method, (_, _) =>
                {
                    changed.Writer.TryWrite(agent.Endpoint);
                    return ValueTask.CompletedTask;
                });
            }

            var listening = hints.Listen
                ? client.SendRequestAsync(new JsonRpcRequest
                {
                    Method = RequestMethods.SubscriptionsListen,
                    Params = new JsonObject { ["notifications"] = new JsonObject { ["toolsListChanged"] = true, ["promptsListChanged"] = true, ["resourcesListChanged"] = true } },
                }, stop)
                : watch.Ended;

            // The byte budget is checked while the stream is read; the SDK may swallow the error, so it is looked at too.
            while (!stop.IsCancellationRequested && !budget.Exceeded && !listening.IsCompleted && !client.Completion.IsCompleted)
            {
                await Task.WhenAny(listening, client.Completion, Task.Delay(TimeSpan.FromSeconds(1), time, stop));
            }

            _ = listening.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return budget.Exceeded ? $"it carried more than {options.SubscriptionMaxBytes} bytes" : "the server ended it";
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            return budget.Exceeded ? $"it carried more than {options.SubscriptionMaxBytes} bytes" : e.GetType().Name;
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        finally
        {
            if (client is not null)
            {
                using var close = new CancellationTokenSource(crawl.Timeout, time);
                try
                {
                    await client.DisposeAsync().AsTask().WaitAsync(close.Token);
                }
                catch (Exception e)
                {
                    // Counted, not thrown: the subscription is over either way.
                    metrics.McpSessionCloseFailed(e is OperationCanceledException or TimeoutException ? "timeout" : "error");
                }
            }
        }
    }
}
