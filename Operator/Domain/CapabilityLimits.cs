namespace AgentLens.Operator.Domain;

/// <summary>
/// How much one entry keeps of its capabilities. Here, below all users: the crawler stops paging an MCP
/// server's lists at <see cref="MaxPerEntry"/>, the card parsers build the search texts within the property
/// caps, and the reconciler's entry limits cut whatever else a card says there.
/// </summary>
internal static class CapabilityLimits
{
    public const int MaxPerEntry = 1000;

    /// <summary>Most characters of one property value.</summary>
    public const int MaxPropertyChars = 1024;

    /// <summary>A tool's parameters (one line per input) are the one property allowed more.</summary>
    public const int MaxParametersChars = 2048;

    /// <summary>At most <paramref name="max"/> characters, never splitting a surrogate pair; "…" marks a cut.</summary>
    public static string? Cap(string? text, int max)
    {
        if (text is null || text.Length <= max)
        {
            return text;
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
