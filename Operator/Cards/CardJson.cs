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
internal sealed partial class CardJsonContext : JsonSerializerContext;

internal static class CardJson
{
    public const int MaxDepth = 64;

    public static T Deserialize<T>(ReadOnlyMemory<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(WithoutBom(json.Span), type)
                ?? throw new CardParseException(CardErrorReason.InvalidJson, "the card is JSON null");
        }
        catch (JsonException e)
        {
            // The message names the place only: the serializer's own text quotes the offending bytes, and a
            // body that is not a card must not leak into status, Events or logs (it may be an internal page).
            var where = e.Path is null or "$" ? string.Empty : $" at {e.Path}";
            var line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
            // A well-formed document with a field of the wrong type is a bad card, not bad JSON.
            if (e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
            {
                throw new CardParseException(CardErrorReason.InvalidJson, $"the body is nested deeper than the maximum depth of {MaxDepth}{line}", e);
            }

            return e.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? throw new CardParseException(CardErrorReason.InvalidField, $"a field{where} has the wrong type{line}", e)
                : throw new CardParseException(CardErrorReason.InvalidJson, $"the body is not valid JSON{where}{line}", e);
        }
    }

    /// <summary>JSON text may start with a UTF-8 byte order mark (RFC 8259 §8.1 lets a parser ignore it).</summary>
    public static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> json) => json.StartsWith("\uFEFF"u8) ? json[3..] : json;
}
