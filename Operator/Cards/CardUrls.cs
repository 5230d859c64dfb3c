using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// The URLs a card offers its readers (icons, a website): clients follow them, so only absolute http(s) URLs
/// of bounded length are kept; anything else a card says there is dropped, not repaired.
/// </summary>
internal static class CardUrls
{
    public const int MaxChars = Icon.MaxSrc;

    /// <summary>The URL when it is an absolute http(s) URL of at most <see cref="MaxChars"/> characters; otherwise null.</summary>
    public static string? Http(string? url)
    {
        var text = url?.Trim();
        return text is { Length: > 0 and <= MaxChars }
            && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.AbsoluteUri.Length <= MaxChars
            ? uri.AbsoluteUri
            : null;
    }

    /// <summary>The icons with a usable URL, the first <see cref="Icon.MaxPerEntry"/> of them, each once.</summary>
    public static ImmutableArray<Icon> Icons(IEnumerable<(string? Src, string? MimeType, string? Theme)> icons) =>
        [.. icons
            .Select(i => (Src: Http(i.Src), i.MimeType, i.Theme))
            .Where(i => i.Src is not null)
            .Select(i => new Icon(i.Src!, Token(i.MimeType), Token(i.Theme)))
            .DistinctBy(i => i.Src, StringComparer.Ordinal)
            .Take(Icon.MaxPerEntry)];

    /// <summary>A short token such as a media type; free text there is not kept.</summary>
    private static string? Token(string? value)
    {
        var text = value?.Trim();
        return text is { Length: > 0 and <= 64 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '+' or '.' or '-') ? text.ToLowerInvariant() : null;
    }
}
