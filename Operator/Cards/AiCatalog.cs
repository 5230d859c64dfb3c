using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// An AI Catalog (<c>/.well-known/ai-catalog.json</c>, or <c>/.well-known/ard.json</c> where that is absent): picks
/// the entry of type <c>application/mcp-server-card+json</c> that describes one agent. Only entries on the
/// agent's own origin (or inline) count — a catalog cannot send the crawler elsewhere. In order: the entry
/// whose card is at <c>&lt;mcp-url&gt;/server-card</c>, one under the agent's own path, one whose inline card
/// names the MCP URL, else the only candidate.
/// </summary>
internal static class AiCatalog
{
    public const string ServerCardType = "application/mcp-server-card+json";

    /// <summary>An Agent Skills archive: recorded with its URL, never downloaded.</summary>
    public const string SkillsArchiveType = "application/agent-skills+zip";

    /// <summary>
    /// The catalog's agent-skills archives as <c>mcp.skill</c> capabilities: name (else the URL's file name),
    /// description and http(s) URL. Only the URL is kept, so the archive is never fetched; an entry without a
    /// usable name or an http(s) URL is left out.
    /// </summary>
    public static ImmutableArray<Capability> Skills(ReadOnlyMemory<byte> catalog)
    {
        try
        {
            using var document = JsonDocument.Parse(catalog, new JsonDocumentOptions { MaxDepth = CardJson.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var skills = new List<Capability>();
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !(IsType(entry, "type", SkillsArchiveType) || IsType(entry, "mediaType", SkillsArchiveType))
                    || CardUrls.Http(Text(entry, "url")) is not { } url)
                {
                    continue;
                }

                var name = Text(entry, "name") ?? Text(entry, "title") ?? Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath);
                if (string.IsNullOrWhiteSpace(name))
                {
                    continue;
                }

                var description = Text(entry, "description");
                skills.Add(new Capability
                {
                    Kind = CapabilityKinds.McpSkill,
                    Name = name.Trim(),
                    Description = description,
                    Properties = CapabilityProperties.Of(("url", url), ("type", SkillsArchiveType)),
                    Digest = CapabilityDigest.Of(CapabilityKinds.McpSkill, name, description, url),
                    Source = CapabilitySources.Card,
                });
            }

            return [.. skills.DistinctBy(s => s.Name).Take(CapabilityLimits.MaxPerEntry)];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Text(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsType(JsonElement entry, string property, string type) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() == type;

    /// <summary>The chosen entry: a card URL to fetch, or the card itself inline; null when none fits.</summary>
    public static (string? Url, ReadOnlyMemory<byte>? Inline)? FindServerCard(ReadOnlyMemory<byte> catalog, string endpoint, string mcpUrl)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(catalog, new JsonDocumentOptions { MaxDepth = CardJson.MaxDepth });
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var origin = AgentEndpoint.Origin(endpoint);
            var candidates = new List<(string? Url, ReadOnlyMemory<byte>? Inline, int Rank)>();
            foreach (var entry in entries.EnumerateArray())
            {
                // v0.9 says `type`; earlier drafts said `mediaType`.
                if (entry.ValueKind != JsonValueKind.Object || !(IsServerCard(entry, "type") || IsServerCard(entry, "mediaType")))
                {
                    continue;
                }

                if (entry.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
                {
                    var names = data.TryGetProperty("remotes", out var remotes) && remotes.ValueKind == JsonValueKind.Array
                        && remotes.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String
                            && AgentEndpoint.TryNormalize(u.GetString(), out var n, out _) && n == mcpUrl);
                    candidates.Add((null, JsonSerializer.SerializeToUtf8Bytes(data), names ? 2 : 0));
                }
                else if (entry.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String
                    && AgentEndpoint.TryNormalize(url.GetString(), out var cardUrl, out _) && AgentEndpoint.Origin(cardUrl) == origin)
                {
                    var rank = cardUrl == mcpUrl + WellKnownPaths.McpServerCardSuffix ? 3 : cardUrl.StartsWith(endpoint + "/", StringComparison.Ordinal) ? 1 : 0;
                    candidates.Add((cardUrl, null, rank));
                }
            }

            var best = candidates.OrderByDescending(c => c.Rank).FirstOrDefault();
            return candidates.Count == 0 || (best.Rank == 0 && candidates.Count > 1) ? null : (best.Url, best.Inline);
        }
    }

    private static bool IsServerCard(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == ServerCardType;
}
