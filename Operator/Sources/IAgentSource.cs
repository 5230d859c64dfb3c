using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Sources;

/// <summary>Says where agents are. One source failing never stops the others.</summary>
internal interface IAgentSource
{
    /// <summary>A stable name, used in metrics, logs and the operator's status.</summary>
    string Name { get; }

    /// <summary>The kind of source; entries remember it, so a failed source leaves exactly its own entries alone.</summary>
    SourceType Type { get; }

    /// <summary>Every agent the source knows, or a <see cref="SourceException"/> when it cannot tell.</summary>
    /// <exception cref="SourceException">The source could not produce a complete list this time.</exception>
    Task<IReadOnlyList<DiscoveredAgent>> DiscoverAsync(CancellationToken cancellationToken);

    /// <summary>What the last <see cref="DiscoverAsync"/> refused to announce, to be reported on the objects themselves.</summary>
    IReadOnlyList<Rejection> Rejections => [];
}

/// <summary>An announcement a source refused (an invalid or unsafe annotation), with the object it came from.</summary>
internal sealed record Rejection(SourceRef Source, string? Uid, string Reason, string Message);

/// <summary>
/// A source could not produce a complete list. The reconciler then leaves every entry of that source
/// exactly as it is: an incomplete list must never make agents look gone.
/// </summary>
internal sealed class SourceException : Exception
{
    public SourceException(string reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    public SourceException()
        : this("Unknown", "the source failed")
    {
    }

    public SourceException(string message)
        : this("Unknown", message)
    {
    }

    public SourceException(string message, Exception innerException)
        : this("Unknown", message, innerException)
    {
    }

    /// <summary>A short machine-readable reason (Forbidden, Unavailable, InvalidConfig, …).</summary>
    public string Reason { get; }
}

/// <summary>Tags as annotations and files give them: trimmed, empty ones dropped, de-duplicated, sorted.</summary>
internal static class TagList
{
    public static ImmutableArray<string> Parse(IEnumerable<string?> tags) =>
        [.. tags.Select(t => t?.Trim()).Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static ImmutableArray<string> Parse(string? commaSeparated) => Parse((commaSeparated ?? string.Empty).Split(','));
}
