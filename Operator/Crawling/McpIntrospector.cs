using System.Net;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>What a live MCP server said about itself.</summary>
internal sealed record McpIntrospection(McpInitializeResult Initialize, ImmutableArray<Capability> Capabilities, ReadOnlyMemory<byte> Canonical);

/// <summary>
/// Asks a live MCP server what it offers, over Streamable HTTP: <c>initialize</c> →
/// <c>notifications/initialized</c> → <c>tools/list</c>, <c>resources/list</c>, <c>prompts/list</c>
/// (following <c>nextCursor</c>), then ends the session with DELETE. Replies may be plain JSON or a
/// <c>text/event-stream</c>; the <c>Mcp-Session-Id</c> the server hands out is sent back on every request.
/// </summary>
internal sealed class McpIntrospector(HttpFetcher fetcher)
{
    public const string ClientProtocolVersion = "2025-06-18";
    private const int MaxPages = 50;

    public async Task<(McpIntrospection? Result, CrawlFailure? Failure)> IntrospectAsync(DiscoveredAgent agent, string mcpUrl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var session = new Session(fetcher, agent, mcpUrl, timeout);
        try
        {
            var (init, failure) = await session.CallAsync("initialize", InitializeParams(), CardJsonContext.Default.McpInitializeResult, cancellationToken);
            if (init is null)
            {
                return (null, failure);
            }

            session.ProtocolVersion = init.ProtocolVersion ?? ClientProtocolVersion;
            await session.NotifyAsync("notifications/initialized", cancellationToken);

            var declared = init.Capabilities;
            var lists = new Dictionary<string, List<McpItem>>();
            foreach (var (method, capability) in new[] { ("tools/list", "tools"), ("resources/list", "resources"), ("prompts/list", "prompts") })
            {
                // A server that declares capabilities is asked only for what it declares; one that declares
                // nothing is asked for everything, and "method not found" then just means none.
                if (declared.ValueKind == JsonValueKind.Object && !declared.TryGetProperty(capability, out _))
                {
                    continue;
                }

                var (items, listFailure) = await ListAllAsync(session, method, capability, cancellationToken);
                if (items is null)
                {
                    return (null, listFailure);
                }

                lists[capability] = items;
            }

            var capabilities = McpCardParser.Items(lists.GetValueOrDefault("tools"), lists.GetValueOrDefault("resources"), lists.GetValueOrDefault("prompts"));
            return (new McpIntrospection(init, capabilities, Canonical(init, capabilities)), null);
        }
        finally
        {
            await session.EndAsync();
        }
    }

    private static async Task<(List<McpItem>? Items, CrawlFailure? Failure)> ListAllAsync(Session session, string method, string capability, CancellationToken cancellationToken)
    {
        var items = new List<McpItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var (result, failure) = await session.CallAsync(method, ListParams(cursor), CardJsonContext.Default.McpListResult, cancellationToken, methodNotFoundIsEmpty: true);
            if (result is null)
            {
                return (null, failure);
            }

            items.AddRange((capability switch { "tools" => result.Tools, "resources" => result.Resources, _ => result.Prompts }) ?? []);
            cursor = result.NextCursor;
            if (string.IsNullOrEmpty(cursor) || !seen.Add(cursor))
            {
                break;
            }
        }

        return (items, null);
    }

    private static byte[] InitializeParams() => Json(w =>
    {
        w.WriteString("protocolVersion", ClientProtocolVersion);
        w.WriteStartObject("capabilities");
        w.WriteEndObject();
        w.WriteStartObject("clientInfo");
        w.WriteString("name", "agentlens-operator");
        w.WriteString("version", typeof(McpIntrospector).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        w.WriteEndObject();
    });

    private static byte[] ListParams(string? cursor) => Json(w =>
    {
        if (cursor is not null)
        {
            w.WriteString("cursor", cursor);
        }
    });

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>A stable rendering of what introspection found, so unchanged servers hash the same.</summary>
    private static byte[] Canonical(McpInitializeResult init, ImmutableArray<Capability> capabilities) => Json(w =>
    {
        w.WriteString("name", init.ServerInfo?.Name);
        w.WriteString("version", init.ServerInfo?.Version);
        w.WriteString("protocolVersion", init.ProtocolVersion);
        w.WriteStartArray("capabilities");
        foreach (var c in capabilities)
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
    });

    private sealed class Session(HttpFetcher fetcher, DiscoveredAgent agent, string url, TimeSpan timeout)
    {
        private int nextId;
        private string? sessionId;

        public string? ProtocolVersion { get; set; }

        public async Task<(T? Result, CrawlFailure? Failure)> CallAsync<T>(string method, byte[] parameters, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken, bool methodNotFoundIsEmpty = false)
            where T : class, new()
        {
            var id = ++nextId;
            var (response, failure) = await fetcher.SendAsync(Request(HttpMethod.Post, Envelope(method, id, parameters)), cancellationToken);
            if (response is null)
            {
                return (null, failure);
            }

            if (!response.IsSuccess)
            {
                return (null, new CrawlFailure(CrawlFailureReason.HttpStatus, $"MCP {method} at {url} answered {(int)response.Status} {response.Status}"));
            }

            sessionId ??= response.SessionId;
            JsonRpcResponse? reply;
            try
            {
                reply = FindReply(response, id);
            }
            catch (JsonException e)
            {
                return (null, new CrawlFailure(CrawlFailureReason.InvalidJson, $"MCP {method} at {url}: the reply is not valid JSON{Position(e)}"));
            }

            if (reply is null)
            {
                return (null, new CrawlFailure(response.MediaType is "application/json" or "text/event-stream" ? CrawlFailureReason.InvalidJson : CrawlFailureReason.ContentType,
                    $"MCP {method} at {url} sent no JSON-RPC reply (content type {response.MediaType ?? "none"})"));
            }

            if (reply.Error is { } error)
            {
                return methodNotFoundIsEmpty && error.Code == -32601
                    ? (new T(), null)
                    // The code only: the server's error text is body content and stays out of status and Events.
                    : (null, new CrawlFailure(CrawlFailureReason.InvalidCard, $"MCP {method} at {url} failed with JSON-RPC error {error.Code}"));
            }

            try
            {
                return (reply.Result.ValueKind == JsonValueKind.Object ? reply.Result.Deserialize(type) ?? new T() : new T(), null);
            }
            catch (JsonException e)
            {
                return (null, new CrawlFailure(CrawlFailureReason.InvalidCard, $"MCP {method} at {url} returned an unexpected result{Position(e)}"));
            }
        }

        public async Task NotifyAsync(string method, CancellationToken cancellationToken)
        {
            // A notification has no reply (202 Accepted); a server that rejects it still answers the lists.
            _ = await fetcher.SendAsync(Request(HttpMethod.Post, Envelope(method, id: null, parameters: null)), cancellationToken);
        }

        public async Task EndAsync()
        {
            if (sessionId is null)
            {
                return;
            }

            // Ending the session is a courtesy, bounded by the request timeout; its outcome changes nothing we report.
            _ = await fetcher.SendAsync(Request(HttpMethod.Delete, body: null), CancellationToken.None);
        }

        private FetchRequest Request(HttpMethod method, byte[]? body)
        {
            var headers = agent.Headers;
            if (sessionId is not null)
            {
                headers = headers.SetItem("Mcp-Session-Id", sessionId);
            }

            if (ProtocolVersion is not null)
            {
                headers = headers.SetItem("MCP-Protocol-Version", ProtocolVersion);
            }

            return new FetchRequest
            {
                Method = method,
                Url = url,
                Timeout = timeout,
                Accept = "application/json, text/event-stream",
                JsonBody = body,
                Headers = headers,
                BearerTokenFile = agent.BearerTokenFile,
            };
        }

        private static byte[] Envelope(string method, int? id, byte[]? parameters)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("jsonrpc", "2.0");
                if (id is not null)
                {
                    w.WriteNumber("id", id.Value);
                }

                w.WriteString("method", method);
                if (parameters is not null)
                {
                    w.WritePropertyName("params");
                    w.WriteRawValue(parameters, skipInputValidation: true);
                }

                w.WriteEndObject();
            }

            return stream.ToArray();
        }

        private static string Position(JsonException e) => e.Path is { Length: > 0 } path ? $" (at {path})" : string.Empty;

        /// <summary>The reply to request <paramref name="id"/>, from a JSON body or among the events of a stream.</summary>
        private static JsonRpcResponse? FindReply(FetchResponse response, int id)
        {
            if (response.MediaType == "text/event-stream")
            {
                foreach (var data in SseData(Encoding.UTF8.GetString(response.Body.Span)))
                {
                    var message = JsonSerializer.Deserialize(data, CardJsonContext.Default.JsonRpcResponse);
                    if (message is not null && message.Id.ValueKind == JsonValueKind.Number && message.Id.GetInt32() == id)
                    {
                        return message;
                    }
                }

                return null;
            }

            if (response.MediaType is not (null or "application/json"))
            {
                return null;
            }

            return JsonSerializer.Deserialize(response.Body.Span, CardJsonContext.Default.JsonRpcResponse);
        }

        private static IEnumerable<string> SseData(string stream)
        {
            var data = new StringBuilder();
            foreach (var raw in stream.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        yield return data.ToString();
                        data.Clear();
                    }
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    if (data.Length > 0)
                    {
                        data.Append('\n');
                    }

                    data.Append(line.AsSpan(5).TrimStart(' '));
                }
            }

            if (data.Length > 0)
            {
                yield return data.ToString();
            }
        }
    }
}
