using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentLens.Operator.Crawling;

/// <summary>What a live MCP server said about itself, and how long it says its lists stay valid.</summary>
internal sealed record McpIntrospection(string? Name, string? Title, string? Version, string? Instructions, string? ProtocolVersion, ImmutableArray<Capability> Capabilities, ReadOnlyMemory<byte> Canonical)
{
    public McpListHints? Hints { get; init; }
}

/// <summary>
/// Asks a live MCP server what it offers, with the official C# SDK client over Streamable HTTP: it
/// negotiates the revision (2026-07-28 with <c>server/discover</c>, falling back to the
/// <c>initialize</c>-based revisions down to 2024-11-05), then <c>tools/list</c>, <c>resources/list</c> and
/// <c>prompts/list</c> page by page, and ends the session. Our guarantees hold around it: the connection goes
/// only where the <see cref="AddressPolicy"/> allows, every response body is capped while it is read
/// (<see cref="CappedResponseHandler"/>), each request — the SDK's session close included, whatever token the
/// SDK passes — has the agent's timeout and the whole exchange the agent's budget, the caller's token
/// (<see cref="DeadlineHandler"/>), pagination is bounded in pages and items, and a failure is classified
/// without quoting the server. A session close that fails or hangs after complete lists costs the result nothing.
/// </summary>
internal sealed class McpIntrospector(HttpMessageHandler handler, CrawlOptions crawl, Metrics metrics)
{
    private const int MaxPages = 50;
    private const int MaxTokenFileBytes = 16 * 1024;
    private static readonly TimeSpan DiscoverProbeLimit = TimeSpan.FromSeconds(5);
    private readonly IReadOnlyList<string> tokenDirectories = crawl.EffectiveTokenDirectories;
    private readonly int maxBytes = crawl.MaxBytes;

    public async Task<(McpIntrospection? Result, CrawlFailure? Failure)> IntrospectAsync(DiscoveredAgent agent, string mcpUrl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var step = "connect";
        // One capped client per introspection over the shared connection pool, so that a cap the SDK's
        // stream reader swallows is still known to have been hit.
        var capped = new CappedResponseHandler(maxBytes, handler);
        // Every request the SDK makes — its session close too, which it sends without a token — ends at the
        // agent's timeout or budget: a server that never answers one cannot hold the crawl.
        // A refusal (401, 403 insufficient_scope) is remembered with its challenge, which the SDK does not pass on.
        var challenges = new AuthChallengeHandler(capped);
        using var http = new HttpClient(new DeadlineHandler(challenges, timeout, cancellationToken), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        McpClient? opened = null;
        var timers = new List<CancellationTokenSource>();

        // One request's token: the agent's budget, and the agent's per-request timeout.
        CancellationToken Within(TimeSpan limit, CancellationToken budget)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(budget);
            cts.CancelAfter(limit);
            timers.Add(cts);
            return cts.Token;
        }

        try
        {
            var headers = new Dictionary<string, string>(agent.Headers, StringComparer.OrdinalIgnoreCase);
            if (agent.BearerTokenFile is { } tokenFile)
            {
                headers["Authorization"] = "Bearer " + await TokenFile.ReadAsync(tokenFile, tokenDirectories, MaxTokenFileBytes, cancellationToken);
            }
            else if (agent.BearerToken is { } token)
            {
                headers["Authorization"] = "Bearer " + token.Reveal();
            }

            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(mcpUrl),
                TransportMode = HttpTransportMode.StreamableHttp,
                ConnectionTimeout = timeout,
                AdditionalHeaders = headers,
                // We only ask and go: no server-initiated stream to hold open or reconnect.
                EnableStandaloneGetStream = false,
                MaxReconnectionAttempts = 0,
            }, http, loggerFactory: null, ownsHttpClient: false);
            step = "initialize";
            var client = opened = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "agentlens-operator", Version = typeof(McpIntrospector).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
                InitializationTimeout = timeout,
                DiscoverProbeTimeout = timeout < DiscoverProbeLimit ? timeout : DiscoverProbeLimit,
            }, loggerFactory: null, cancellationToken);

            var declared = client.ServerCapabilities;
            var declaresAny = declared.Tools is not null || declared.Resources is not null || declared.Prompts is not null;
            List<Tool> tools = [];
            List<Resource> resources = [];
            List<Prompt> prompts = [];
            List<Capability> skills = [];
            var ttl = new McpTtl();

            // A server that declares capabilities is asked only for what it declares; one that declares
            // nothing is asked for everything, and "method not found" then just means none.
            if (!declaresAny || declared.Tools is not null)
            {
                step = "tools/list";
                tools = await PagesAsync(cursor => PageAsync<ListToolsResult>(client, RequestMethods.ToolsList, cursor, ttl, Within(timeout, cancellationToken)), r => r.Tools, r => r.NextCursor);
            }

            if (!declaresAny || declared.Resources is not null)
            {
                step = "resources/list";
                resources = await PagesAsync(cursor => PageAsync<ListResourcesResult>(client, RequestMethods.ResourcesList, cursor, ttl, Within(timeout, cancellationToken)), r => r.Resources, r => r.NextCursor);
            }

            if (!declaresAny || declared.Prompts is not null)
            {
                step = "prompts/list";
                prompts = await PagesAsync(cursor => PageAsync<ListPromptsResult>(client, RequestMethods.PromptsList, cursor, ttl, Within(timeout, cancellationToken)), r => r.Prompts, r => r.NextCursor);
            }

            if (McpSkills.Declared(declared))
            {
                step = "skills/list";
                skills = await McpSkills.ListAsync(client, cursor => Within(timeout, cancellationToken), MaxPages, ttl);
            }

            var capabilities = McpCardParser.Items(
                tools.Select(t => new McpItem { Name = t.Name, Title = t.Title, Description = t.Description, InputSchema = t.InputSchema, OutputSchema = t.OutputSchema ?? default }),
                resources.Select(r => new McpItem { Name = r.Name, Title = r.Title, Description = r.Description, Uri = r.Uri, MimeType = r.MimeType }),
                prompts.Select(p => new McpItem { Name = p.Name, Title = p.Title, Description = p.Description }));
            capabilities = [.. capabilities.Concat(skills).DistinctBy(c => (c.Kind, c.Name)).Take(CapabilityLimits.MaxPerEntry + 1)];
            var info = client.ServerInfo;
            var hints = new McpListHints(
                mcpUrl,
                ttl.Shortest,
                declared.Tools?.ListChanged == true || declared.Prompts?.ListChanged == true || declared.Resources?.ListChanged == true,
                string.CompareOrdinal(client.NegotiatedProtocolVersion, McpListHints.ListenRevision) >= 0);
            var result = new McpIntrospection(info?.Name, info?.Title, info?.Version, client.ServerInstructions, client.NegotiatedProtocolVersion, capabilities, default) { Hints = hints };
            return (result with { Canonical = Canonical(result) }, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (challenges.Refused is { } refused)
            {
                // Reachable and protected, not broken: the crawler finds out who grants access.
                return (null, new CrawlFailure(CrawlFailureReason.AuthorizationRequired, $"MCP {step} at {mcpUrl} answered {(int)refused.Status} {refused.Status}") { Challenge = refused.Challenge });
            }

            return (null, capped.Exceeded
                ? new CrawlFailure(CrawlFailureReason.TooLarge, $"MCP {step} at {mcpUrl} sent more than {maxBytes} bytes")
                : Classify(e, mcpUrl, step, timeout));
        }
        finally
        {
            if (opened is not null)
            {
                // The bound starts before the DELETE does, so a close that hangs ends here first and is counted,
                // whether or not the SDK would report the DELETE's own cancellation.
                await CloseAsync(opened, Within(timeout, cancellationToken));
            }

            foreach (var timer in timers)
            {
                timer.Dispose();
            }
        }
    }

    /// <summary>
    /// Ends the session (the SDK sends its <c>DELETE</c>), waiting at most until <paramref name="bound"/>. What
    /// the server said is complete by then, so a close that fails or never ends changes nothing in the result:
    /// it is the server's loss, not the agent's failure. A close still running is left to end on its own (its
    /// requests have the same deadline) and its failure is observed, never thrown at the finalizer.
    /// </summary>
    private async Task CloseAsync(McpClient client, CancellationToken bound)
    {
        Task? closing = null;
        try
        {
            closing = client.DisposeAsync().AsTask();
            await closing.WaitAsync(bound);
        }
        catch (Exception e)
        {
            // Counted, not thrown: the close cannot change what the server already told us.
            metrics.McpSessionCloseFailed(e is OperationCanceledException or TimeoutException ? "timeout" : "error");
            _ = closing?.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Every page of one list, at most <see cref="MaxPages"/> pages and the entry's worth of items.</summary>
    private static async Task<List<T>> PagesAsync<TResult, T>(Func<string?, Task<TResult>> list, Func<TResult, IList<T>?> items, Func<TResult, string?> next)
    {
        var all = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var page = 0; page < MaxPages && all.Count <= CapabilityLimits.MaxPerEntry; page++)
        {
            TResult result;
            try
            {
                result = await list(cursor);
            }
            catch (McpProtocolException e) when (e.ErrorCode == McpErrorCode.MethodNotFound)
            {
                // Declared or not, a list the server does not implement has nothing in it.
                return all;
            }

            all.AddRange(items(result) ?? []);
            cursor = next(result);
            if (string.IsNullOrEmpty(cursor) || !seen.Add(cursor))
            {
                break;
            }
        }

        return all;
    }

    /// <summary>
    /// One page of a list. Its caching hints are read apart, leniently, and taken out before the SDK's types
    /// read the rest: the SDK refuses a whole tool list over a <c>ttlMs</c> that is not a number, and a hint must
    /// never cost the entry its tools.
    /// </summary>
    private static async Task<TResult> PageAsync<TResult>(McpClient client, string method, string? cursor, McpTtl ttl, CancellationToken cancellationToken)
    {
        var response = await client.SendRequestAsync(new JsonRpcRequest
        {
            Method = method,
            Params = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor },
        }, cancellationToken);
        if (response.Result is not JsonObject result)
        {
            throw new JsonException($"the {method} result is not an object");
        }

        ttl.Saw(McpSkills.Milliseconds(result["ttlMs"]));
        result.Remove("ttlMs");
        result.Remove("cacheScope");
        return (TResult)(result.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(TResult))) ?? throw new JsonException($"the {method} result is null"));
    }

    /// <summary>A failure as the catalog shows it: a reason, the step and a status code — never the server's words.</summary>
    private static CrawlFailure Classify(Exception e, string url, string step, TimeSpan timeout)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case ResponseTooLargeException tooLarge:
                    return new CrawlFailure(CrawlFailureReason.TooLarge, $"MCP {step} at {url}: {tooLarge.Message}");
                case DeniedAddressException denied:
                    return new CrawlFailure(CrawlFailureReason.DeniedAddress, $"{url}: {denied.Message}");
                case TokenFileException token:
                    return new CrawlFailure(CrawlFailureReason.Configuration, $"cannot use the bearer token file: {token.Message}");
                case HttpRequestException { StatusCode: { } status }:
                    return new CrawlFailure(CrawlFailureReason.HttpStatus, $"MCP {step} at {url} answered {(int)status} {status}");
                case McpProtocolException protocol:
                    return new CrawlFailure(CrawlFailureReason.InvalidCard, $"MCP {step} at {url} failed with JSON-RPC error {(int)protocol.ErrorCode}");
                case JsonException:
                    return new CrawlFailure(CrawlFailureReason.InvalidJson, $"MCP {step} at {url}: the reply is not valid JSON-RPC");
                case McpException noReply when noReply.Message.Contains("without a reply", StringComparison.Ordinal):
                    // The SDK skips what it cannot parse and then finds no reply: the server sent no valid JSON-RPC.
                    return new CrawlFailure(CrawlFailureReason.InvalidJson, $"MCP {step} at {url}: the server sent no valid JSON-RPC reply");
                case OperationCanceledException or TimeoutException:
                    return new CrawlFailure(CrawlFailureReason.Timeout, $"MCP {step} at {url} did not answer within {Duration.Format(timeout)}");
                case HttpRequestException network when network.InnerException is not (DeniedAddressException or ResponseTooLargeException):
                    return new CrawlFailure(CrawlFailureReason.Network, $"MCP {step} at {url}: {network.HttpRequestError}");
            }
        }

        // The SDK's own messages may quote the server; only the kind of failure is kept.
        return new CrawlFailure(CrawlFailureReason.InvalidCard, $"MCP {step} at {url} failed ({e.GetType().Name})");
    }

    /// <summary>A stable rendering of what introspection found, so unchanged servers hash the same.</summary>
    private static byte[] Canonical(McpIntrospection found)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("name", found.Name);
            w.WriteString("version", found.Version);
            w.WriteString("protocolVersion", found.ProtocolVersion);
            w.WriteStartArray("capabilities");
            foreach (var c in found.Capabilities)
            {
                w.WriteStartObject();
                w.WriteString("kind", c.Kind);
                w.WriteString("name", c.Name);
                w.WriteString("description", c.Description);
                foreach (var (key, value) in c.Properties)
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }
}
