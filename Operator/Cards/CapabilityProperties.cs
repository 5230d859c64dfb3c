namespace AgentLens.Operator.Cards;

internal static class CapabilityProperties
{
    /// <summary>An MCP tool's input schema as search reads it: its property names and descriptions ("name: description; …").</summary>
    public const string InputText = "inputs";

    /// <summary>An A2A skill's examples as search reads them, joined by " | ".</summary>
    public const string ExampleText = "exampleText";

    /// <summary>How much of either text an entry keeps: enough words to be found by, bounded so a card cannot grow the entry.</summary>
    public const int MaxText = 300;

    /// <summary><paramref name="text"/> cut to <see cref="MaxText"/>; null when empty.</summary>
    public static string? Bounded(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Length <= MaxText ? text : text[..MaxText];

    /// <summary>A capability's properties; empty values are left out so equal content compares equal.</summary>
    public static ImmutableSortedDictionary<string, string> Of(params (string Key, string? Value)[] pairs)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (!string.IsNullOrEmpty(value))
            {
                builder[key] = value;
            }
        }

        return builder.ToImmutable();
    }
}
