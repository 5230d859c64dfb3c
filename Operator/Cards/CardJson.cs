using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentLens.Operator.Cards;

/// <summary>
/// Source-generated serialization for the card shapes. Unknown fields are ignored (cards grow new fields
/// all the time); nesting deeper than <see cref="MaxDepth"/> is rejected while reading, so a hostile card
/// nested 100,000 deep costs nothing.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    MaxDepth = CardJson.MaxDepth,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(A2aCard))]
[JsonSerializable(typeof(McpCard))]
[JsonSerializable(typeof(JsonRpcResponse))]
[JsonSerializable(typeof(McpInitializeResult))]
[JsonSerializable(typeof(McpListResult))]
internal sealed partial class CardJsonContext : JsonSerializerContext;

internal static class CardJson
{
    public const int MaxDepth = 64;

    public static T Deserialize<T>(ReadOnlyMemory<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json.Span, type)
                ?? throw new CardParseException(CardErrorReason.InvalidJson, "the card is JSON null");
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? string.Empty : $" at {e.Path}";
            // A well-formed document with a field of the wrong type is a bad card, not bad JSON.
            var reason = e.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? CardErrorReason.InvalidField
                : CardErrorReason.InvalidJson;
            throw new CardParseException(reason, $"the card is not valid{where}: {FirstSentence(e.Message)}", e);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
