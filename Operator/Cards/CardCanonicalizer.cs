using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentLens.Operator.Cards;

/// <summary>
/// The bytes an A2A card signature covers (A2A 1.0 §8.4.1), exactly as the official SDK computes them
/// (<c>canonicalizeAgentCard</c> in @a2a-js/sdk): the card read through the <c>lf.a2a.v1.AgentCard</c>
/// message — fields it does not define dropped, snake_case names read as their camelCase ones, proto
/// default values omitted, JavaScript's coercions of mistyped values kept — without <c>signatures</c>,
/// with empty strings, nulls, empty arrays and empty objects removed at every depth, then serialized by
/// JCS (RFC 8785). Tests compare it with the SDK's output on a corpus of cards.
/// </summary>
internal static class CardCanonicalizer
{
    private enum Kind
    {
        String,        // omitted when empty (proto3 scalar)
        OptString,     // optional: written when present
        Bool,          // omitted when false
        OptBool,       // optional: written when present, false included
        Strings,       // repeated string
        Message,       // written when present
        Messages,      // repeated message
        MessageMap,    // map<string, message>
        StringMap,     // map<string, string>
        Struct,        // google.protobuf.Struct: written as given
        OneOf,         // exactly one of the listed message fields, the first present
    }

    private sealed record Field(string Name, Kind Kind, Field[]? Message = null, Field[]? Cases = null)
    {
        public string Snake { get; } = string.Concat(Name.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
    }

    private static Field S(string name) => new(name, Kind.String);

    private static Field[] Scopes(params string[] urls) => [.. urls.Select(S), new Field("scopes", Kind.StringMap)];

    private static readonly Field[] AuthorizationCode = [.. Scopes("authorizationUrl", "tokenUrl", "refreshUrl"), new Field("pkceRequired", Kind.Bool)];
    private static readonly Field[] ClientCredentials = Scopes("tokenUrl", "refreshUrl");
    private static readonly Field[] Implicit = Scopes("authorizationUrl", "refreshUrl");
    private static readonly Field[] Password = Scopes("tokenUrl", "refreshUrl");
    private static readonly Field[] DeviceCode = Scopes("deviceAuthorizationUrl", "tokenUrl", "refreshUrl");

    private static readonly Field[] OAuthFlows =
    [
        new("flow", Kind.OneOf, Cases:
        [
            new("authorizationCode", Kind.Message, AuthorizationCode),
            new("clientCredentials", Kind.Message, ClientCredentials),
            new("implicit", Kind.Message, Implicit),
            new("password", Kind.Message, Password),
            new("deviceCode", Kind.Message, DeviceCode),
        ]),
    ];

    private static readonly Field[] SecurityScheme =
    [
        new("scheme", Kind.OneOf, Cases:
        [
            new("apiKeySecurityScheme", Kind.Message, [S("description"), S("location"), S("name")]),
            new("httpAuthSecurityScheme", Kind.Message, [S("description"), S("scheme"), S("bearerFormat")]),
            new("oauth2SecurityScheme", Kind.Message, [S("description"), new Field("flows", Kind.Message, OAuthFlows), S("oauth2MetadataUrl")]),
            new("openIdConnectSecurityScheme", Kind.Message, [S("description"), S("openIdConnectUrl")]),
            new("mtlsSecurityScheme", Kind.Message, [S("description")]),
        ]),
    ];

    private static readonly Field[] SecurityRequirement = [new("schemes", Kind.MessageMap, [new Field("list", Kind.Strings)])];

    private static readonly Field[] AgentCard =
    [
        S("name"),
        S("description"),
        new("supportedInterfaces", Kind.Messages, [S("url"), S("protocolBinding"), S("tenant"), S("protocolVersion")]),
        new("provider", Kind.Message, [S("url"), S("organization")]),
        S("version"),
        new("documentationUrl", Kind.OptString),
        new("capabilities", Kind.Message,
        [
            new("streaming", Kind.OptBool),
            new("pushNotifications", Kind.OptBool),
            new("extensions", Kind.Messages, [S("uri"), S("description"), new Field("required", Kind.Bool), new Field("params", Kind.Struct)]),
            new("extendedAgentCard", Kind.OptBool),
        ]),
        new("securitySchemes", Kind.MessageMap, SecurityScheme),
        new("securityRequirements", Kind.Messages, SecurityRequirement),
        new("defaultInputModes", Kind.Strings),
        new("defaultOutputModes", Kind.Strings),
        new("skills", Kind.Messages,
        [
            S("id"), S("name"), S("description"), new Field("tags", Kind.Strings), new Field("examples", Kind.Strings),
            new Field("inputModes", Kind.Strings), new Field("outputModes", Kind.Strings), new Field("securityRequirements", Kind.Messages, SecurityRequirement),
        ]),
        new("iconUrl", Kind.OptString),
    ];

    /// <summary>The canonical text of the card (signatures excluded); <c>{}</c> when nothing is left.</summary>
    /// <exception cref="JsonException">The card is not JSON.</exception>
    public static string Canonicalize(ReadOnlySpan<byte> card)
    {
        using var document = JsonDocument.Parse(card.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false });
        var normalized = Read(document.RootElement, AgentCard);
        return Clean(normalized) is { } cleaned ? Jcs.Serialize(cleaned) : "{}";
    }

    /// <summary>A message as the SDK's <c>fromJSON</c> then <c>toJSON</c> leave it.</summary>
    private static JsonObject Read(JsonElement element, Field[] fields)
    {
        var result = new JsonObject();
        var isObject = element.ValueKind == JsonValueKind.Object;
        foreach (var field in fields)
        {
            if (field.Kind == Kind.OneOf)
            {
                foreach (var option in field.Cases!)
                {
                    if (isObject && Get(element, option) is { } chosen)
                    {
                        result[option.Name] = Read(chosen, option.Message!);
                        break;
                    }
                }

                continue;
            }

            var value = isObject ? Get(element, field) : null;
            if (value is not { } v)
            {
                // Unset optional fields are omitted; unset scalars are defaults, also omitted.
                continue;
            }

            JsonNode? written = field.Kind switch
            {
                Kind.String => JsString(v) is { Length: > 0 } s ? s : null,
                Kind.OptString => JsString(v),
                Kind.Bool => JsBoolean(v) ? true : null,
                Kind.OptBool => JsBoolean(v),
                Kind.Strings => v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0 ? new JsonArray([.. v.EnumerateArray().Select(e => (JsonNode?)JsString(e))]) : null,
                Kind.Message => Read(v, field.Message!),
                Kind.Messages => v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0 ? new JsonArray([.. v.EnumerateArray().Select(e => (JsonNode?)Read(e, field.Message!))]) : null,
                Kind.MessageMap => Map(v, e => Read(e, field.Message!)),
                Kind.StringMap => Map(v, e => JsString(e)),
                Kind.Struct => v.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? JsonNode.Parse(v.GetRawText()) : null,
                _ => null,
            };
            if (written is not null)
            {
                result[field.Name] = written;
            }
        }

        return result;
    }

    /// <summary>
    /// The field's value by its camelCase name, else its snake_case one, under the test the SDK applies to
    /// that kind of field: set (not null) for scalars and messages, an array for repeated fields, an object
    /// (arrays included, as <c>typeof</c> says) for maps and structs. The last of duplicate members wins.
    /// </summary>
    private static JsonElement? Get(JsonElement obj, Field field)
    {
        foreach (var name in (ReadOnlySpan<string>)[field.Name, field.Snake])
        {
            JsonElement? found = null;
            foreach (var property in obj.EnumerateObject())
            {
                if (property.Name == name)
                {
                    found = property.Value;
                }
            }

            var accepted = found is { } value && field.Kind switch
            {
                Kind.Strings or Kind.Messages => value.ValueKind == JsonValueKind.Array,
                Kind.MessageMap or Kind.StringMap or Kind.Struct => value.ValueKind is JsonValueKind.Object or JsonValueKind.Array,
                _ => value.ValueKind != JsonValueKind.Null,
            };
            if (accepted)
            {
                return found;
            }
        }

        return null;
    }

    private static JsonObject? Map(JsonElement value, Func<JsonElement, JsonNode?> read)
    {
        var entries = value.ValueKind switch
        {
            JsonValueKind.Object => value.EnumerateObject().Select(p => (p.Name, p.Value)).ToList(),
            JsonValueKind.Array => value.EnumerateArray().Select((e, i) => (i.ToString(CultureInfo.InvariantCulture), e)).ToList(),
            _ => null,
        };
        if (entries is null || entries.Count == 0)
        {
            return null;
        }

        var map = new JsonObject();
        foreach (var (key, entry) in entries)
        {
            map[key] = read(entry);
        }

        return map;
    }

    /// <summary>JavaScript's <c>String(value)</c> of a JSON value.</summary>
    private static string JsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => Jcs.Number(value.GetDouble()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(e => e.ValueKind is JsonValueKind.Null ? string.Empty : JsString(e))),
        _ => "[object Object]",
    };

    /// <summary>JavaScript's <c>Boolean(value)</c> of a JSON value.</summary>
    private static bool JsBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.False or JsonValueKind.Null => false,
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Number => value.GetDouble() != 0,
        _ => true,
    };

    /// <summary>The SDK's <c>cleanEmpty</c>: "", null, empty arrays and empty objects go, at every depth.</summary>
    private static JsonNode? Clean(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray array:
                var items = array.Select(Clean).Where(i => i is not null).Select(i => i!.DeepClone()).ToList();
                return items.Count > 0 ? new JsonArray([.. items]) : null;
            case JsonObject obj:
                var cleaned = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Clean(value) is { } kept)
                    {
                        cleaned[key] = kept.DeepClone();
                    }
                }

                return cleaned.Count > 0 ? cleaned : null;
            case JsonValue value when value.TryGetValue<string>(out var s):
                return s.Length == 0 ? null : JsonValue.Create(s);
            case JsonValue value when value.GetValueKind() == JsonValueKind.Null:
                return null;
            default:
                return node.DeepClone();
        }
    }
}
