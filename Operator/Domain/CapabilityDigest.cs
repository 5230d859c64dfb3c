using System.Security.Cryptography;
using System.Text;

namespace AgentLens.Operator.Domain;

/// <summary>
/// Digests over what defines a capability, so a definition that changes under the same name — a tool's
/// description or schema, a skill's modes: the "rug pull" on agent users — is seen and reported. For an MCP
/// tool: name, description, input and output schema; for a skill: id, name, description, tags, modes; for
/// anything else the fields the entry shows. The digest of the set covers every capability the card lists.
/// </summary>
internal static class CapabilityDigest
{
    public static string Of(params string?[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => p ?? "\u0000"));
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The capability with its digest, computed from the fields it shows when its parser set none.</summary>
    public static Capability Ensure(Capability c) => c.Digest is not null ? c : c with
    {
        Digest = Of([c.Kind, c.Name, c.Description, string.Join(',', c.Tags.IsDefault ? [] : c.Tags), .. c.Properties.Select(p => $"{p.Key}={p.Value}")]),
    };

    public static string OfSet(IEnumerable<Capability> capabilities) =>
        Of([.. capabilities.Select(c => $"{c.Kind}\u001e{c.Name}\u001e{c.Digest}").Order(StringComparer.Ordinal)]);
}

/// <summary>What changed in an entry's capabilities, by name (kind-qualified).</summary>
internal sealed record CapabilityDrift(ImmutableArray<string> Added, ImmutableArray<string> Removed, ImmutableArray<string> Changed)
{
    public bool IsEmpty => Added.IsEmpty && Removed.IsEmpty && Changed.IsEmpty;

    /// <summary>
    /// The drift from <paramref name="before"/> to <paramref name="after"/>. A capability stored without a
    /// digest (written by an older version) is compared by presence only, so an upgrade reports no false change.
    /// </summary>
    public static CapabilityDrift Between(IEnumerable<Capability> before, IEnumerable<Capability> after)
    {
        var old = before.GroupBy(Key).ToDictionary(g => g.Key, g => g.First().Digest, StringComparer.Ordinal);
        var now = after.GroupBy(Key).ToDictionary(g => g.Key, g => g.First().Digest, StringComparer.Ordinal);
        return new CapabilityDrift(
            [.. now.Keys.Where(k => !old.ContainsKey(k)).Order(StringComparer.Ordinal)],
            [.. old.Keys.Where(k => !now.ContainsKey(k)).Order(StringComparer.Ordinal)],
            [.. now.Where(kv => old.TryGetValue(kv.Key, out var d) && d is not null && d != kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal)]);
    }

    private static string Key(Capability c) => $"{c.Kind}:{c.Name}";
}
