using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>
/// The tools' structured results. Nulls are written, not left out: clients check structured content against
/// the output schema, and the schema says each field is there (possibly null).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, MaxDepth = 32)]
[JsonSerializable(typeof(SearchAgentsResult))]
[JsonSerializable(typeof(FindToolsResult))]
[JsonSerializable(typeof(AgentView))]
internal sealed partial class McpToolsJsonContext : JsonSerializerContext;

internal static class McpToolsJson
{
    /// <summary>Our result types, and the SDK's own for the tools' arguments and its protocol types.</summary>
    public static JsonSerializerOptions Options { get; } = new(McpJsonUtilities.DefaultOptions)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(McpToolsJsonContext.Default, McpJsonUtilities.DefaultOptions.TypeInfoResolver),
    };
}
