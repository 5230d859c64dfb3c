using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentLens.Operator.Tests.Api.Mcp;

/// <summary>The official C# SDK client over Streamable HTTP, with a bearer token, and reading tool results.</summary>
internal static class McpClients
{
    public static async Task<McpClient> ConnectAsync(string url, string? token, string? protocolVersion = null)
    {
        var headers = new Dictionary<string, string>();
        if (token is not null)
        {
            headers["Authorization"] = "Bearer " + token;
        }

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(url),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
            EnableStandaloneGetStream = false,
            ConnectionTimeout = TimeSpan.FromSeconds(20),
        });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion }, cancellationToken: deadline.Token);
    }

    public static async Task<CallToolResult> CallAsync(this McpClient client, string tool, params (string Name, object? Value)[] arguments)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.CallToolAsync(tool, arguments.ToDictionary(a => a.Name, a => a.Value), cancellationToken: deadline.Token);
    }

    /// <summary>The structured result (what the output schema describes).</summary>
    public static JsonElement Structured(this CallToolResult result) =>
        result.StructuredContent is { } content ? JsonSerializer.SerializeToElement(content) : throw new AssertionException("the result has no structured content: " + Text(result));

    public static string Text(this CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
