using System.Text.Json;
using System.Text.Json.Serialization;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The canonical JSON of an AgentType: compact, declaration-order properties, nulls left out, times in whole
/// UTC seconds, non-ASCII text written as UTF-8 rather than 6-byte escapes. Equal content always gives equal
/// bytes, so comparing what is stored with what is desired is exact and a ConfigMap is written only when
/// something really changed.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false,
    MaxDepth = 32,
    Converters = [typeof(UtcSecondsConverter)])]
[JsonSerializable(typeof(AgentType))]
[JsonSerializable(typeof(OperatorStatus))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;

internal static class CatalogJson
{
    // The default encoder escapes every non-ASCII character (6 bytes each); a catalog is not embedded in HTML.
    private static readonly CatalogJsonContext Context = new(new JsonSerializerOptions(CatalogJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static JsonSerializerOptions Options => Context.Options;

    public static byte[] Serialize(AgentType entry) => JsonSerializer.SerializeToUtf8Bytes(entry, Context.AgentType);

    public static string SerializeToString(AgentType entry) => JsonSerializer.Serialize(entry, Context.AgentType);

    public static string SerializeStatus(OperatorStatus status) => JsonSerializer.Serialize(status, Context.OperatorStatus);

    /// <exception cref="JsonException">Not an AgentType.</exception>
    public static AgentType Deserialize(string json) =>
        Complete(JsonSerializer.Deserialize(json, Context.AgentType) ?? throw new JsonException("the document is null"));

    /// <summary>
    /// A hand-written entry (a push entry) may leave lists out; they read as empty, never as default arrays.
    /// Nulls inside lists are kept for <see cref="EntryCheck"/> to refuse.
    /// </summary>
    private static AgentType Complete(AgentType entry)
    {
        static ImmutableArray<T> Or<T>(ImmutableArray<T> list) => list.IsDefault ? [] : list;
        var status = entry.Status ?? new AgentStatus();
        return entry with
        {
            Spec = entry.Spec is null ? null! : entry.Spec with { Tags = Or(entry.Spec.Tags) },
            Status = status with
            {
                Conditions = Or(status.Conditions),
                Icons = Or(status.Icons),
                Capabilities = [.. Or(status.Capabilities).Select(c => c is null ? c! : c with
                {
                    Tags = Or(c.Tags),
                    Properties = c.Properties ?? ImmutableSortedDictionary<string, string>.Empty,
                })],
                Authorization = status.Authorization is not { } a ? null : a with
                {
                    AuthorizationServers = Or(a.AuthorizationServers),
                    ScopesSupported = Or(a.ScopesSupported),
                    ScopesRequired = Or(a.ScopesRequired),
                    Schemes = Or(a.Schemes),
                    Requirements = [.. Or(a.Requirements).Select(r => r is null ? r! : r with
                    {
                        Schemes = Or(r.Schemes),
                        Scopes = r.Scopes ?? ImmutableSortedDictionary<string, string>.Empty,
                    })],
                },
            },
        };
    }

    /// <summary>Times as Kubernetes writes them: RFC 3339, UTC, whole seconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}

internal sealed class UtcSecondsConverter : JsonConverter<DateTimeOffset>
{
    /// <exception cref="JsonException">Not a time (the message never quotes the text).</exception>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
        && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new JsonException("a time must be an RFC 3339 string");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(CatalogJson.Truncate(value).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
