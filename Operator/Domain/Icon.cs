namespace AgentLens.Operator.Domain;

/// <summary>
/// An icon a card names: an http(s) URL of at most <see cref="MaxSrc"/> characters (the registry's own limit),
/// with its media type and theme when the card gave them.
/// </summary>
internal sealed record Icon(string Src, string? MimeType, string? Theme)
{
    public const int MaxSrc = 255;

    /// <summary>An entry keeps this many icons at most; clients show one.</summary>
    public const int MaxPerEntry = 8;
}
