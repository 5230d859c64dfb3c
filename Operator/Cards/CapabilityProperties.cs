namespace AgentLens.Operator.Cards;

internal static class CapabilityProperties
{
    /// <summary>An A2A skill's examples, one a line (<see cref="SearchText.Examples"/>).</summary>
    public const string Examples = "examples";

    /// <summary>An MCP tool's inputs, one "name: description" a line, "name*" when required (<see cref="SearchText.Parameters"/>).</summary>
    public const string Parameters = "parameters";

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
