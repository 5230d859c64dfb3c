using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>
/// Reads MCP server cards: the MCP Registry <c>server.json</c> and the server-card drafts. Only a name
/// (<c>serverInfo.name</c> or <c>name</c>) is required. Tools, resources and prompts listed in the card
/// become capabilities; most cards list none, and the crawler then introspects the server live.
/// </summary>
internal sealed class McpCardParser : ICardParser
{
    public IReadOnlyCollection<Protocol> Protocols { get; } = [Protocol.Mcp];

    public ParsedCard Parse(ReadOnlyMemory<byte> json)
    {
        var card = CardJson.Deserialize(json, CardJsonContext.Default.McpCard);
        var name = card.ServerInfo?.Title ?? card.Title ?? card.ServerInfo?.Name ?? card.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new CardParseException(CardErrorReason.MissingField, "the MCP card has neither 'serverInfo.name' nor 'name'");
        }

        return new ParsedCard
        {
            DisplayName = name.Trim(),
            Description = card.Description,
            Version = card.ServerInfo?.Version ?? card.Version,
            ProtocolVersion = card.ProtocolVersion,
            Provider = ReadRepository(card.Repository),
            RegistryName = (card.Name ?? card.ServerInfo?.Name)?.Trim(),
            WebsiteUrl = CardUrls.Http(card.WebsiteUrl ?? card.ServerInfo?.WebsiteUrl),
            Icons = CardUrls.Icons((card.Icons ?? card.ServerInfo?.Icons ?? []).Select(i => (i.Src, i.MimeType, i.Theme))),
            Capabilities = Items(card.Tools, card.Resources, card.Prompts),
            McpRemoteUrl = card.Remotes?.FirstOrDefault(r => r.Type is "streamable-http" or "streamable_http" && !string.IsNullOrWhiteSpace(r.Url))?.Url,
        };
    }

    /// <summary>Capabilities from the items of tools/list, resources/list and prompts/list (or a card).</summary>
    public static ImmutableArray<Capability> Items(IEnumerable<McpItem>? tools, IEnumerable<McpItem>? resources, IEnumerable<McpItem>? prompts)
    {
        var all = Map(tools, CapabilityKinds.McpTool)
            .Concat(Map(resources, CapabilityKinds.McpResource))
            .Concat(Map(prompts, CapabilityKinds.McpPrompt));
        return [.. all.DistinctBy(c => (c.Kind, c.Name))];
    }

    private static IEnumerable<Capability> Map(IEnumerable<McpItem>? items, string kind) =>
        from item in items ?? []
        let name = item.Name ?? item.Uri
        where !string.IsNullOrWhiteSpace(name)
        select new Capability
        {
            Kind = kind,
            Name = name,
            Description = item.Description,
            Properties = CapabilityProperties.Of(("title", item.Title), ("uri", item.Uri), ("mimeType", item.MimeType), (CapabilityProperties.Parameters, SearchText.Parameters(item.InputSchema))),
            Digest = CapabilityDigest.Of(kind, name, item.Title, item.Description, item.Uri, item.MimeType, Raw(item.InputSchema), Raw(item.OutputSchema)),
        };

    private static string? Raw(JsonElement schema) => schema.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : schema.GetRawText();

    private static Provider? ReadRepository(JsonElement repository) =>
        repository.ValueKind == JsonValueKind.Object && repository.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String
            ? new Provider(null, url.GetString())
            : null;
}
