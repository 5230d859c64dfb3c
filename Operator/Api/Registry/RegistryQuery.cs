using System.Buffers.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// The query of <c>GET /v0.1/servers</c>. The cursor is opaque and URL-safe (base64url of a small JSON object)
/// and carries the query it was issued for, so a client that appends it unencoded and drops <c>search</c> on
/// later pages still pages through the same result; only <c>limit</c> is taken from each request.
/// </summary>
internal sealed partial record RegistryQuery
{
    public const int DefaultLimit = 30;
    public const int MaxLimit = 100;
    private const int MaxSearch = 200;

    public int Limit { get; init; } = DefaultLimit;
    public string? After { get; init; }
    public string? Search { get; init; }
    public string? Version { get; init; }
    public DateTimeOffset? UpdatedSince { get; init; }
    public bool IncludeDeleted { get; init; }

    /// <summary>Tombstones and Offline entries are in: asked for, or implied by <see cref="UpdatedSince"/> (a sync must learn of deletions).</summary>
    public bool WithDeleted => IncludeDeleted || UpdatedSince is not null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    /// <summary>Whether the query keeps <paramref name="s"/>; <paramref name="found"/> are the entries the catalog search found for <see cref="Search"/> (<see cref="RegistrySearch"/>).</summary>
    public bool Matches(RegistryServer s, IReadOnlySet<string>? found = null) =>
        (WithDeleted || s.Status != RegistryStatus.Deleted)
        && (UpdatedSince is null || s.UpdatedAt > UpdatedSince)
        && (Version is null or "latest" || s.Version == Version)
        && (Search is null || s.Name.Contains(Search, StringComparison.OrdinalIgnoreCase)
            || s.Title.Contains(Search, StringComparison.OrdinalIgnoreCase) || s.Description.Contains(Search, StringComparison.OrdinalIgnoreCase)
            || found?.Contains(s.EntryName) == true);

    /// <summary>Reads the query; false with a message naming the parameter and what it must be.</summary>
    public static bool TryParse(Func<string, string?> get, out RegistryQuery query, [NotNullWhen(false)] out string? error)
    {
        query = new RegistryQuery();
        error = null;
        if (get("limit") is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
            {
                error = $"limit must be an integer from 1 to {MaxLimit}";
                return false;
            }

            query = query with { Limit = limit };
        }

        if (get("cursor") is { } cursor)
        {
            if (!TryDecode(cursor, out var carried))
            {
                error = "cursor is not one this registry issued (use metadata.nextCursor of the previous page as it is)";
                return false;
            }

            query = carried with { Limit = query.Limit };
            return true;
        }

        if (get("search") is { } search)
        {
            if (search.Length > MaxSearch)
            {
                error = $"search must be at most {MaxSearch} characters";
                return false;
            }

            query = query with { Search = search };
        }

        if (get("version") is { } version)
        {
            if (version.Length > 255)
            {
                error = "version must be at most 255 characters";
                return false;
            }

            query = query with { Version = version };
        }

        if (get("updated_since") is { } sinceText)
        {
            // An unencoded '+' of an offset arrives as a space.
            sinceText = sinceText.Replace(' ', '+');
            if (!Rfc3339().IsMatch(sinceText) || !DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var since))
            {
                error = "updated_since must be an RFC 3339 date-time, e.g. 2025-08-07T13:15:04.280Z";
                return false;
            }

            query = query with { UpdatedSince = since };
        }

        if (get("include_deleted") is { } deletedText)
        {
            if (!bool.TryParse(deletedText, out var deleted))
            {
                error = "include_deleted must be true or false";
                return false;
            }

            query = query with { IncludeDeleted = deleted };
        }

        return true;
    }

    /// <summary>The cursor of the page after <paramref name="lastName"/>, carrying this query.</summary>
    public string CursorAfter(string lastName)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("a", lastName);
            WriteIf(w, "s", Search);
            WriteIf(w, "v", Version);
            WriteIf(w, "u", UpdatedSince is { } u ? RegistryJson.Time(u) : null);
            if (IncludeDeleted)
            {
                w.WriteBoolean("d", true);
            }

            w.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    private static void WriteIf(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static bool TryDecode(string cursor, out RegistryQuery query)
    {
        query = new RegistryQuery();
        try
        {
            if (cursor.Length > 4096 || !Base64Url.IsValid(cursor))
            {
                return false;
            }

            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("a", out var after) || after.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            query = new RegistryQuery
            {
                After = after.GetString(),
                Search = Text(root, "s"),
                Version = Text(root, "v"),
                UpdatedSince = Text(root, "u") is { } u && DateTimeOffset.TryParse(u, CultureInfo.InvariantCulture, DateTimeStyles.None, out var since) ? since : null,
                IncludeDeleted = root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.True,
            };
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
