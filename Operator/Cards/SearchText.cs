using System.Text;
using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// What search reads of a capability beyond its name and description: a skill's examples and a tool's input
/// parameters, one line each. A card may list any number of any length, so the count, each line and the
/// whole are bounded here, and whitespace is folded so one item is always one line. A schema that is not an
/// object with properties gives nothing: it is the card's business, not a reason to fail it.
/// </summary>
internal static class SearchText
{
    public const int MaxExamples = 10;
    public const int MaxExampleChars = 200;
    public const int MaxParameters = 30;
    public const int MaxParameterNameChars = 64;
    public const int MaxParameterDescriptionChars = 200;

    /// <summary>The examples joined by newlines, or null when there are none.</summary>
    public static string? Examples(IEnumerable<string>? examples) =>
        Lines(
            (examples ?? []).Select(e => Line(e, MaxExampleChars)).Where(e => e.Length > 0).Take(MaxExamples),
            CapabilityLimits.MaxPropertyChars);

    /// <summary>The top-level properties of an input schema as "name: description" lines, "name*" when required.</summary>
    public static string? Parameters(JsonElement inputSchema)
    {
        if (inputSchema.ValueKind != JsonValueKind.Object || !IsObjectType(inputSchema)
            || !inputSchema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var required = inputSchema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
        var lines = properties.EnumerateObject()
            .DistinctBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => (Shown: Line(p.Name, MaxParameterNameChars), Key: p.Name, Description: Description(p.Value)))
            .Where(p => p.Shown.Length > 0)
            .Take(MaxParameters)
            .Select(p => (required.Contains(p.Key) ? p.Shown + "*" : p.Shown) + (p.Description.Length > 0 ? ": " + p.Description : string.Empty));
        return Lines(lines, CapabilityLimits.MaxParametersChars);
    }

    /// <summary><c>"type": "object"</c>, <c>["object", "null"]</c>, or no type at all (properties imply an object).</summary>
    private static bool IsObjectType(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type)
        || (type.ValueKind == JsonValueKind.String && type.ValueEquals("object"))
        || (type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.ValueEquals("object")));

    private static string Description(JsonElement property) =>
        property.ValueKind == JsonValueKind.Object && property.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String
            ? Line(d.GetString()!, MaxParameterDescriptionChars)
            : string.Empty;

    /// <summary>Whitespace and control characters folded to single spaces, then capped.</summary>
    private static string Line(string text, int max)
    {
        var folded = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (folded.Length > max)
            {
                break;
            }

            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                if (folded.Length > 0 && folded[^1] != ' ')
                {
                    folded.Append(' ');
                }
            }
            else
            {
                folded.Append(c);
            }
        }

        return CapabilityLimits.Cap(folded.ToString().TrimEnd(), max)!;
    }

    /// <summary>Whole lines while they fit in <paramref name="maxChars"/>; null when there are none.</summary>
    private static string? Lines(IEnumerable<string> lines, int maxChars)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            if (text.Length + (text.Length > 0 ? 1 : 0) + line.Length > maxChars)
            {
                break;
            }

            text.Append(text.Length > 0 ? "\n" : string.Empty).Append(line);
        }

        return text.Length > 0 ? text.ToString() : null;
    }
}
