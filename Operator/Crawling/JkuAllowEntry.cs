using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// One entry of <c>--trust-jku-allow</c>: <c>https://keys.example.com/keys/</c> lets a signature of any
/// agent name a <c>jku</c> under that URL; <c>team-a+team-b=https://keys.example.com/team-a/</c> only of
/// agents in those namespaces (<c>+</c>, not a comma: the flag is a comma-separated list). A <c>jku</c> is
/// compared as a parsed URL, never as a string prefix: the same scheme, host and port exactly, and a path
/// under the entry's on segment boundaries (<c>/keys</c> allows <c>/keys</c> and <c>/keys/a.json</c>,
/// not <c>/keysevil/</c>). Anything a string prefix would be fooled by is refused outright: userinfo
/// (<c>https://keys.example.com@evil.net/</c>), a query or fragment, dot segments or encoded dots and
/// slashes (which a key server may decode into a path the check never saw), backslashes and non-ASCII.
/// </summary>
internal sealed partial record JkuAllowEntry(string Scheme, string Host, int Port, string Path, ImmutableArray<string> Namespaces)
{
    public bool Covers(string? @namespace) => Namespaces.IsEmpty || (@namespace is not null && Namespaces.Contains(@namespace, StringComparer.Ordinal));

    /// <summary>Whether a <c>jku</c> that passed <see cref="TryParseJku"/> lies under this entry.</summary>
    public bool Allows(Uri jku) =>
        jku.Scheme == Scheme && string.Equals(jku.IdnHost, Host, StringComparison.OrdinalIgnoreCase) && jku.Port == Port
        && (Path.Length == 0 || jku.AbsolutePath == Path || jku.AbsolutePath.StartsWith(Path + "/", StringComparison.Ordinal));

    public static bool TryParse(string text, [NotNullWhen(true)] out JkuAllowEntry? entry, [NotNullWhen(false)] out string? error)
    {
        entry = null;
        var url = text;
        ImmutableArray<string> namespaces = [];
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0 && !text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            namespaces = [.. text[..eq].Split('+')];
            url = text[(eq + 1)..];
            if (namespaces.FirstOrDefault(ns => !NamespaceName().IsMatch(ns)) is { } bad)
            {
                error = $"'{text}': '{bad}' is not a namespace name (the form is ns1+ns2=https://host/path/)";
                return false;
            }
        }

        if (!TryParseJku(url, out var uri, out var problem))
        {
            error = $"'{text}': {problem}";
            return false;
        }

        // The path compared on segment boundaries: "/keys/" and "/keys" both allow /keys and /keys/…
        entry = new JkuAllowEntry(uri.Scheme, uri.IdnHost, uri.Port, uri.AbsolutePath.TrimEnd('/'), namespaces);
        error = null;
        return true;
    }

    /// <summary>A <c>jku</c> (or an entry's URL) parsed, or why it is refused; the problem never repeats the URL.</summary>
    public static bool TryParseJku(string text, [NotNullWhen(true)] out Uri? uri, [NotNullWhen(false)] out string? problem)
    {
        uri = null;
        Uri? parsed = null;
        problem = text.Any(c => c is '\\' or <= ' ' or > '~') ? "it has a backslash, a space, a control or a non-ASCII character"
            : !Uri.TryCreate(text, UriKind.Absolute, out parsed) || parsed.Scheme is not ("https" or "http") ? "it is not an absolute http(s) URL"
            : parsed.UserInfo.Length > 0 || text.Contains('@', StringComparison.Ordinal) ? "it has userinfo (user@host), which is refused"
            : parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || text.Contains('?', StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal) ? "it has a query or a fragment, which is refused"
            : DotSegments().IsMatch(text) ? "its path has dot segments or encoded dots, slashes or backslashes, which are refused"
            : null;
        if (problem is not null || parsed is null)
        {
            problem ??= "it is not an absolute http(s) URL";
            return false;
        }

        uri = parsed;
        return true;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex NamespaceName();

    // "/../", "/./", a trailing "/.." or "/.", and %2e %2f %5c in any case: whatever could step out of the prefix.
    [GeneratedRegex(@"/\.\.?(/|$)|%2e|%2f|%5c", RegexOptions.IgnoreCase)]
    private static partial Regex DotSegments();
}
