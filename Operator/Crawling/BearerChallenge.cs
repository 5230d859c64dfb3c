using AgentLens.Operator.Cards;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// What a protected server's <c>WWW-Authenticate</c> header says about getting in (RFC 6750 §3, RFC 9728 §5.1):
/// the Bearer challenge's <c>resource_metadata</c>, <c>scope</c> and <c>error</c>. The header is the
/// server's text: it is read within caps (length, challenges, parameters), anything malformed ends the
/// reading with what was understood so far, and only values of a known shape are kept — a URL that is an
/// absolute http(s) URL without credentials, scopes of scope characters, an error code of lower-case letters
/// and underscores. <c>error_description</c> and <c>realm</c> are free text and never kept.
/// </summary>
internal sealed record BearerChallenge
{
    public const int MaxHeaderChars = 8 * 1024;
    public const int MaxChallenges = 16;
    public const int MaxParameters = 32;

    /// <summary>A refusal with no Bearer challenge to read (none sent, or only other schemes).</summary>
    public static BearerChallenge None { get; } = new();

    /// <summary>The server sent a Bearer challenge (else it may have sent none, or only other schemes).</summary>
    public bool IsBearer { get; init; }

    /// <summary>The other schemes it offered (Basic, DPoP, …), as tokens.</summary>
    public ImmutableArray<string> OtherSchemes { get; init; } = [];

    public string? ResourceMetadata { get; init; }
    public ImmutableArray<string> Scopes { get; init; } = [];
    public string? Error { get; init; }

    public bool Equals(BearerChallenge? other) =>
        other is not null && IsBearer == other.IsBearer && ResourceMetadata == other.ResourceMetadata && Error == other.Error
        && OtherSchemes.SequenceEqual(other.OtherSchemes) && Scopes.SequenceEqual(other.Scopes);

    public override int GetHashCode() => HashCode.Combine(IsBearer, ResourceMetadata, Error);

    /// <summary>The challenges of every <c>WWW-Authenticate</c> header line, the first Bearer one read.</summary>
    public static BearerChallenge Parse(IEnumerable<string>? headerValues)
    {
        if (headerValues is null)
        {
            return None;
        }

        // Lines are one comma-separated list (RFC 9110 §5.3); past the cap the rest is not read.
        var text = string.Join(", ", headerValues.Take(MaxChallenges));
        if (text.Length > MaxHeaderChars)
        {
            text = text[..MaxHeaderChars];
        }

        var challenges = Challenges(text);
        var bearer = challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        var others = challenges.Where(c => !c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            .Select(c => c.Scheme).Distinct(StringComparer.OrdinalIgnoreCase).Take(8).ToImmutableArray();
        if (bearer.Scheme is null)
        {
            return others.IsEmpty ? None : new BearerChallenge { OtherSchemes = others };
        }

        string? Param(string name) => bearer.Parameters.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return new BearerChallenge
        {
            IsBearer = true,
            OtherSchemes = others,
            ResourceMetadata = ProtectedResourceMetadata.Url(Param("resource_metadata")),
            Scopes = ProtectedResourceMetadata.ScopeList(Param("scope")),
            Error = ErrorCode(Param("error")),
        };
    }

    private static string? ErrorCode(string? value) =>
        value is { Length: > 0 and <= 64 } && value.All(c => c is (>= 'a' and <= 'z') or '_') ? value : null;

    private readonly record struct Challenge(string Scheme, List<(string Name, string Value)> Parameters);

    /// <summary>
    /// <c>challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]</c>, comma-separated: a token followed by
    /// <c>=</c> is a parameter of the challenge before it, any other token starts the next challenge.
    /// </summary>
    private static List<Challenge> Challenges(string text)
    {
        var challenges = new List<Challenge>();
        var i = 0;
        while (challenges.Count < MaxChallenges)
        {
            SkipSeparators(text, ref i);
            var token = Token(text, ref i);
            if (token is null)
            {
                // End of the header, or a character no token starts with: what was read stands.
                break;
            }

            var afterToken = i;
            SkipSpaces(text, ref i);
            if (i < text.Length && text[i] == '=' && challenges.Count > 0)
            {
                var equals = i;
                i++;
                SkipSpaces(text, ref i);
                var quoted = i < text.Length && text[i] == '"';
                var value = quoted ? Quoted(text, ref i) : Token(text, ref i);
                if (value is null && quoted)
                {
                    // A quote that never ends: everything after it is inside it, and nothing there is read.
                    break;
                }

                if (value is null)
                {
                    // "name=" then something else: a token68's padding ("abc==") or garbage; skip to the next comma.
                    i = equals;
                    SkipTo(text, ',', ref i);
                    continue;
                }

                var parameters = challenges[^1].Parameters;
                if (parameters.Count < MaxParameters && !parameters.Any(p => p.Name.Equals(token, StringComparison.OrdinalIgnoreCase)))
                {
                    parameters.Add((token, value));
                }

                continue;
            }

            i = afterToken;
            challenges.Add(new Challenge(token, []));
            SkipSpaces(text, ref i);
            // A token68 after the scheme (Negotiate abc==) carries no parameters we read.
            var probe = i;
            if (Token(text, ref probe) is not null && probe < text.Length && text[probe] == '=')
            {
                var end = probe;
                while (end < text.Length && text[end] == '=')
                {
                    end++;
                }

                var next = end;
                SkipSpaces(text, ref next);
                if (next >= text.Length || text[next] == ',')
                {
                    i = next;
                }
            }
        }

        return challenges;
    }

    private static void SkipSpaces(string text, ref int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipSeparators(string text, ref int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static void SkipTo(string text, char stop, ref int i)
    {
        while (i < text.Length && text[i] != stop)
        {
            i++;
        }
    }

    /// <summary>An RFC 9110 token (tchar), or null at anything else.</summary>
    private static string? Token(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && IsTokenChar(text[i]))
        {
            i++;
        }

        return i > start ? text[start..i] : null;
    }

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
        or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>A quoted-string with its backslash escapes undone; null when it never ends (the rest is not read).</summary>
    private static string? Quoted(string text, ref int i)
    {
        var value = new System.Text.StringBuilder();
        for (var j = i + 1; j < text.Length; j++)
        {
            var c = text[j];
            if (c == '"')
            {
                i = j + 1;
                return value.ToString();
            }

            if (c == '\\' && j + 1 < text.Length)
            {
                c = text[++j];
            }

            value.Append(c);
        }

        i = text.Length;
        return null;
    }
}
