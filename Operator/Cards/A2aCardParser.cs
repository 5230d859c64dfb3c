using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// Reads A2A agent cards of spec 0.2.x, 0.3.x and 1.0, and A2UI cards (A2A-style). Only <c>name</c> is
/// required; skills, interfaces, extensions, security schemes and requirements and signatures become
/// capabilities, in card order, de-duplicated by kind and name.
/// </summary>
internal sealed class A2aCardParser : ICardParser
{
    /// <summary>The highest major protocol version we understand.</summary>
    private const int MaxMajorVersion = 1;

    public IReadOnlyCollection<Protocol> Protocols { get; } = [Protocol.A2a, Protocol.A2ui];

    public ParsedCard Parse(ReadOnlyMemory<byte> json)
    {
        var card = CardJson.Deserialize(json, CardJsonContext.Default.A2aCard);
        if (string.IsNullOrWhiteSpace(card.Name))
        {
            throw new CardParseException(CardErrorReason.MissingField, "the agent card has no 'name'");
        }

        var protocolVersion = card.ProtocolVersion ?? card.SupportedInterfaces?.Select(i => i.ProtocolVersion).FirstOrDefault(v => v is not null);
        CheckVersion(protocolVersion);

        var capabilities = new List<Capability>();
        capabilities.AddRange(Skills(card));
        capabilities.AddRange(Interfaces(card));
        capabilities.AddRange(Extensions(card));
        capabilities.AddRange(SecuritySchemes(card));
        capabilities.AddRange(SecurityRequirements(card));
        capabilities.AddRange(Signatures(card));

        var provider = ReadProvider(card.Provider);
        return new ParsedCard
        {
            DisplayName = card.Name.Trim(),
            Description = card.Description,
            Version = card.Version,
            ProtocolVersion = protocolVersion,
            Provider = provider,
            WebsiteUrl = CardUrls.Http(card.DocumentationUrl) ?? CardUrls.Http(provider?.Url),
            Icons = CardUrls.Icons([(card.IconUrl, null, null)]),
            Capabilities = [.. capabilities.DistinctBy(c => (c.Kind, c.Name))],
            Authorization = A2aAuthorization.Of(card, capabilities),
        };
    }

    private static void CheckVersion(string? protocolVersion)
    {
        if (protocolVersion is null)
        {
            return;
        }

        var majorText = protocolVersion.Split('.')[0].TrimStart('v', 'V');
        if (!int.TryParse(majorText, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            throw new CardParseException(CardErrorReason.InvalidField, "protocolVersion is not a version number");
        }

        if (major > MaxMajorVersion)
        {
            throw new CardParseException(CardErrorReason.UnsupportedVersion, $"A2A protocol version {major}.x is newer than the versions understood (0.2, 0.3, 1.0)");
        }
    }

    private static IEnumerable<Capability> Skills(A2aCard card) =>
        from skill in card.Skills ?? []
        let name = skill.Id ?? skill.Name
        where !string.IsNullOrWhiteSpace(name)
        select new Capability
        {
            Kind = CapabilityKinds.A2aSkill,
            Name = name,
            Description = skill.Description,
            Tags = [.. (skill.Tags ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal)],
            Properties = CapabilityProperties.Of(
                ("title", skill.Name != name ? skill.Name : null),
                ("inputModes", Join(skill.InputModes)),
                ("outputModes", Join(skill.OutputModes)),
                (CapabilityProperties.Examples, SearchText.Examples(skill.Examples))),
            Digest = CapabilityDigest.Of(skill.Id, skill.Name, skill.Description, Join(skill.Tags), Join(skill.InputModes), Join(skill.OutputModes)),
        };

    private static IEnumerable<Capability> Interfaces(A2aCard card)
    {
        // 0.2/0.3: the main url with its preferred transport, then additionalInterfaces; 1.0: supportedInterfaces.
        var all = new List<(string Url, string Transport, string? Version, string? Tenant)>();
        if (card.Url is { Length: > 0 } url)
        {
            all.Add((url, card.PreferredTransport ?? "JSONRPC", card.ProtocolVersion, null));
        }

        foreach (var i in (card.AdditionalInterfaces ?? []).Concat(card.SupportedInterfaces ?? []))
        {
            if (i.Url is { Length: > 0 })
            {
                all.Add((i.Url, i.ProtocolBinding ?? i.Transport ?? "JSONRPC", i.ProtocolVersion, i.Tenant));
            }
        }

        // One interface per binding and URL — and per protocol version when the card offers the same binding
        // and URL at several versions (a 1.0 card may): those are several interfaces, named apart.
        foreach (var group in all.GroupBy(i => (i.Transport, i.Url)))
        {
            var versions = group.Select(i => i.Version).Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.Ordinal).ToList();
            if (versions.Count > 1)
            {
                foreach (var version in versions)
                {
                    var i = group.First(x => x.Version == version);
                    yield return Interface($"{i.Transport} {i.Url} @{version}", i.Url, i.Transport, version, i.Tenant);
                }
            }
            else
            {
                var i = group.FirstOrDefault(x => !string.IsNullOrEmpty(x.Version), group.First());
                yield return Interface($"{i.Transport} {i.Url}", i.Url, i.Transport, i.Version, i.Tenant);
            }
        }
    }

    private static Capability Interface(string name, string url, string transport, string? protocolVersion, string? tenant) => new()
    {
        Kind = CapabilityKinds.A2aInterface,
        Name = name,
        Properties = CapabilityProperties.Of(("url", url), ("transport", transport), ("protocolVersion", protocolVersion), ("tenant", tenant)),
    };

    private static IEnumerable<Capability> Extensions(A2aCard card) =>
        from e in card.Capabilities?.Extensions ?? []
        where !string.IsNullOrWhiteSpace(e.Uri)
        select new Capability
        {
            Kind = CapabilityKinds.A2aExtension,
            Name = e.Uri!,
            Description = e.Description,
            Properties = CapabilityProperties.Of(("required", e.Required is true ? "true" : null)),
        };

    private static IEnumerable<Capability> SecuritySchemes(A2aCard card)
    {
        foreach (var (name, scheme) in card.SecuritySchemes ?? [])
        {
            if (scheme.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            // 0.3 cards say {"type": "http", "scheme": "bearer"}. 1.0 cards wrap the same in a one-of, either
            // as proto JSON {"httpAuthSecurityScheme": {...}} or, as @a2a-js/sdk serves it,
            // {"scheme": {"$case": "httpAuthSecurityScheme", "value": {...}}}.
            var body = scheme;
            var type = String(scheme, "type");
            if (type is null && scheme.TryGetProperty("scheme", out var oneOf) && String(oneOf, "$case") is { } @case)
            {
                type = @case;
                body = oneOf.TryGetProperty("value", out var value) ? value : oneOf;
            }
            else if (type is null)
            {
                foreach (var property in scheme.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        type = property.Name;
                        body = property.Value;
                        break;
                    }
                }
            }

            yield return new Capability
            {
                Kind = CapabilityKinds.A2aSecurityScheme,
                Name = name,
                Description = String(body, "description"),
                Properties = CapabilityProperties.Of(
                    ("type", SchemeType(type)),
                    ("scheme", String(body, "scheme")),
                    ("in", String(body, "in") ?? String(body, "location")),
                    ("parameter", String(body, "name")),
                    ("openIdConnectUrl", String(body, "openIdConnectUrl"))),
            };
        }
    }

    /// <summary>The 0.3 vocabulary for scheme types, whichever version the card spoke.</summary>
    private static string? SchemeType(string? type) => type switch
    {
        null => null,
        "httpAuthSecurityScheme" => "http",
        "apiKeySecurityScheme" => "apiKey",
        "oauth2SecurityScheme" => "oauth2",
        "openIdConnectSecurityScheme" => "openIdConnect",
        "mtlsSecurityScheme" => "mutualTLS",
        _ => type,
    };

    private static IEnumerable<Capability> SecurityRequirements(A2aCard card)
    {
        foreach (var requirement in (card.Security ?? []).Concat(card.SecurityRequirements ?? []))
        {
            if (requirement.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            // 0.3: {"oauth": ["read"]}; 1.0: {"schemes": {"oauth": {"list": ["read"]}}}.
            var schemes = requirement.TryGetProperty("schemes", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : requirement;
            var entries = schemes.EnumerateObject()
                .Select(p => (Name: p.Name, Scopes: Scopes(p.Value)))
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .ToList();
            if (entries.Count == 0)
            {
                continue;
            }

            yield return new Capability
            {
                Kind = CapabilityKinds.A2aSecurityRequirement,
                Name = string.Join(" + ", entries.Select(e => e.Name)),
                Properties = CapabilityProperties.Of([.. entries.Select(e => ($"scopes.{e.Name}", Join(e.Scopes)))]),
            };
        }
    }

    private static IEnumerable<Capability> Signatures(A2aCard card)
    {
        var index = 0;
        foreach (var signature in card.Signatures ?? [])
        {
            index++;
            var header = DecodeProtectedHeader(signature.Protected);
            yield return new Capability
            {
                Kind = CapabilityKinds.A2aSignature,
                Name = header?.Kid ?? $"signature-{index}",
                Properties = CapabilityProperties.Of(("alg", header?.Alg), ("jku", header?.Jku)),
            };
        }
    }

    private static (string? Kid, string? Alg, string? Jku)? DecodeProtectedHeader(string? protectedHeader)
    {
        if (string.IsNullOrEmpty(protectedHeader))
        {
            return null;
        }

        try
        {
            var padded = protectedHeader.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            using var doc = JsonDocument.Parse(Convert.FromBase64String(padded), new JsonDocumentOptions { MaxDepth = CardJson.MaxDepth });
            return (String(doc.RootElement, "kid"), String(doc.RootElement, "alg"), String(doc.RootElement, "jku"));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // The signature is shown without its header; verifying signatures is the client's business.
            return null;
        }
    }

    private static Provider? ReadProvider(JsonElement provider) => provider.ValueKind switch
    {
        JsonValueKind.Object => new Provider(String(provider, "organization"), String(provider, "url")),
        JsonValueKind.String => new Provider(provider.GetString(), null),
        _ => null,
    };

    private static IEnumerable<string> Scopes(JsonElement value)
    {
        var list = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("list", out var l) ? l : value;
        return list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)
            : [];
    }

    private static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Join(IEnumerable<string>? values)
    {
        var list = values?.Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        return list is { Count: > 0 } ? string.Join(",", list) : null;
    }
}
