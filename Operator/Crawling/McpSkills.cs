using System.Text.Json;
using System.Text.Json.Nodes;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// The MCP Skills extension (SEP-2640, <c>io.modelcontextprotocol/skills</c>): a server that declares it is
/// asked for <c>skills/list</c>, page by page, and each entry becomes a capability of kind <c>mcp.skill</c> — the
/// frontmatter's name and description, the <c>SKILL.md</c> URI, and a digest over the manifest's file digests, so
/// a skill whose files change is seen as redefined. Nothing of a skill is ever read (<c>resources/read</c>).
/// The SDK has no client type for the extension, so the reply is read from JSON, leniently: an entry without a
/// usable name is left out, a list that is not a list is empty, and an error reply ends the listing with what
/// came before — skills are extra, they never cost the server its tools.
/// </summary>
internal static class McpSkills
{
    public const string Extension = "io.modelcontextprotocol/skills";
    public const string ListMethod = "skills/list";

    public static bool Declared(ServerCapabilities declared) => declared.Extensions?.ContainsKey(Extension) == true;

    public static async Task<List<Capability>> ListAsync(McpClient client, Func<string?, CancellationToken> within, int maxPages, McpTtl ttl)
    {
        var all = new List<Capability>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var page = 0; page < maxPages && all.Count <= CapabilityLimits.MaxPerEntry; page++)
        {
            JsonNode? result;
            try
            {
                var response = await client.SendRequestAsync(new JsonRpcRequest
                {
                    Method = ListMethod,
                    Params = cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor },
                }, within(cursor));
                result = response.Result;
            }
            catch (McpException)
            {
                return all;
            }

            if (result is not JsonObject reply)
            {
                return all;
            }

            ttl.Saw(Milliseconds(reply["ttlMs"]));
            if (reply["skills"] is JsonArray skills)
            {
                all.AddRange(skills.OfType<JsonObject>().Select(Skill).OfType<Capability>());
            }

            cursor = Text(reply["nextCursor"]);
            if (string.IsNullOrEmpty(cursor) || !seen.Add(cursor))
            {
                break;
            }
        }

        return all;
    }

    /// <summary>One <c>Skill</c> entry, or null when it names no skill.</summary>
    internal static Capability? Skill(JsonObject entry)
    {
        var uri = Text(entry["uri"]);
        var frontmatter = entry["frontmatter"] as JsonObject;
        var name = Text(frontmatter?["name"]) ?? NameFromUri(uri);
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var description = Text(frontmatter?["description"]);
        var manifest = entry["resources"] switch
        {
            JsonArray manifestFiles => string.Join(',', manifestFiles.OfType<JsonObject>().Select(f => $"{Text(f["uri"])}={Text(f["digest"])}").Order(StringComparer.Ordinal)),
            JsonValue v when Text(v) == "dynamic" => "dynamic",
            _ => null,
        };
        var files = entry["resources"] is JsonArray list ? list.Count.ToString(CultureInfo.InvariantCulture) : manifest;
        return new Capability
        {
            Kind = CapabilityKinds.McpSkill,
            Name = name.Trim(),
            Description = description,
            Properties = CapabilityProperties.Of(("uri", uri), ("files", files)),
            Digest = CapabilityDigest.Of(CapabilityKinds.McpSkill, name, description, uri, manifest),
            Source = CapabilitySources.Introspection,
        };
    }

    /// <summary><c>skill://acme/billing/refunds/SKILL.md</c> → <c>refunds</c>: the spec makes the last path segment the name.</summary>
    private static string? NameFromUri(string? uri)
    {
        if (uri is null || !uri.EndsWith("/SKILL.md", StringComparison.Ordinal))
        {
            return null;
        }

        var path = uri[..^"/SKILL.md".Length];
        var slash = path.LastIndexOf('/');
        return slash < 0 || slash == path.Length - 1 ? null : path[(slash + 1)..];
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>A <c>ttlMs</c> that is a finite positive number; anything else says nothing.</summary>
    internal static TimeSpan? Milliseconds(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var ms) && double.IsFinite(ms) && ms > 0
            ? TimeSpan.FromMilliseconds(Math.Min(ms, TimeSpan.FromDays(365).TotalMilliseconds))
            : null;
}
