using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// OAuth 2.0 Protected Resource Metadata (RFC 9728 §2), as much of it as says who grants access: the
/// <c>resource</c> identifier, <c>authorization_servers</c>, <c>scopes_supported</c> and <c>resource_name</c>.
/// The document is the server's: it is read only up to <see cref="MaxBytes"/> and <see cref="MaxDepth"/>,
/// values of the wrong type are left out rather than failing the document, and only URLs that are absolute
/// http(s) without credentials and scopes of scope characters are kept, each list capped.
/// </summary>
internal sealed record ProtectedResourceMetadata
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDepth = 16;
    public const int MaxUrlChars = 2048;
    public const int MaxAuthorizationServers = 16;
    public const int MaxScopes = 64;
    public const int MaxScopeChars = 128;
    public const int MaxNameChars = 256;

    public required string Resource { get; init; }
    public ImmutableArray<string> AuthorizationServers { get; init; } = [];
    public ImmutableArray<string> ScopesSupported { get; init; } = [];
    public string? ResourceName { get; init; }

    /// <exception cref="CardParseException">Not a metadata document: too large, not JSON, not an object, or no usable <c>resource</c>.</exception>
    public static ProtectedResourceMetadata Parse(ReadOnlyMemory<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw new CardParseException(CardErrorReason.InvalidField, $"the metadata is larger than {MaxBytes / 1024} KiB");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            // The parser's message may quote the bytes; only where it failed is told.
            throw new CardParseException(CardErrorReason.InvalidJson, $"the metadata is not valid JSON (line {e.LineNumber + 1 ?? 0}, byte {e.BytePositionInLine ?? 0})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CardParseException(CardErrorReason.InvalidField, "the metadata is not a JSON object");
            }

            var resource = Url(String(root, "resource"))
                ?? throw new CardParseException(CardErrorReason.MissingField, "the metadata has no 'resource' that is an http(s) URL");
            return new ProtectedResourceMetadata
            {
                Resource = resource,
                AuthorizationServers = [.. Strings(root, "authorization_servers").Select(Url).OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxAuthorizationServers)],
                ScopesSupported = [.. Strings(root, "scopes_supported").Where(IsScope).Distinct(StringComparer.Ordinal).Take(MaxScopes)],
                ResourceName = Name(String(root, "resource_name")),
            };
        }
    }

    /// <summary>An absolute http(s) URL without user info, control characters or excess length, else null.</summary>
    public static string? Url(string? value) =>
        value is { Length: > 0 and <= MaxUrlChars } && !value.Any(char.IsControl) && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo) && uri.AbsoluteUri.Length <= MaxUrlChars
            ? uri.AbsoluteUri
            : null;

    /// <summary>Space-separated scope tokens (RFC 6749 §3.3), those of scope characters only, capped in count.</summary>
    public static ImmutableArray<string> ScopeList(string? value) =>
        value is null ? [] : [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(IsScope).Distinct(StringComparer.Ordinal).Take(MaxScopes)];

    /// <summary><c>scope-token = 1*( %x21 / %x23-5B / %x5D-7E )</c>, at most <see cref="MaxScopeChars"/>.</summary>
    public static bool IsScope(string scope) =>
        scope.Length is > 0 and <= MaxScopeChars && scope.All(c => c is '!' or (>= '#' and <= '[') or (>= ']' and <= '~'));

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<string> Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Take(256).Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
            : [];

    /// <summary>A display name: trimmed, control characters dropped, capped.</summary>
    private static string? Name(string? value)
    {
        var text = value is null ? null : new string([.. value.Where(c => !char.IsControl(c))]).Trim();
        return string.IsNullOrEmpty(text) ? null : CapabilityLimits.Cap(text, MaxNameChars);
    }
}
