namespace AgentLens.Operator.Cards;

internal static class CapabilityProperties
{
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
