using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// A key the platform team trusts to sign cards, for every agent or — with the JWK members
/// <c>agentlens.io/namespaces</c> and <c>agentlens.io/teams</c> — only for agents of those namespaces or teams.
/// </summary>
internal sealed record TrustedKey(JsonWebKey Key, ImmutableArray<string> Namespaces, ImmutableArray<string> Teams)
{
    public const string NamespacesMember = "agentlens.io/namespaces";
    public const string TeamsMember = "agentlens.io/teams";

    public bool Covers(string? @namespace, string? team) =>
        (Namespaces.IsEmpty && Teams.IsEmpty)
        || (@namespace is not null && Namespaces.Contains(@namespace, StringComparer.Ordinal))
        || (team is not null && Teams.Contains(team, StringComparer.Ordinal));
}

/// <summary>What the trust roots file gave at the last look.</summary>
internal sealed record TrustRootsState(ImmutableArray<TrustedKey> Keys, bool Configured, string? Problem, bool Changed);

/// <summary>
/// The trust roots, from the JWKS file: read again when the file changes, the last good set kept when the
/// new one cannot be read (the problem is reported, not the keys dropped), and none at all when the file
/// is removed. Only asymmetric keys count: a shared-secret key could let anyone who knows it sign.
/// </summary>
internal sealed class TrustRoots(TrustOptions options)
{
    private ImmutableArray<TrustedKey> keys = [];
    private DateTime? loadedWrite;
    private bool configured;

    public ImmutableArray<TrustedKey> Keys => keys;

    public bool Configured => configured;

    /// <summary>Looks at the file again; says whether the trusted set changed and what was wrong with the file.</summary>
    public TrustRootsState Refresh()
    {
        var path = options.JwksPath;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            var changed = configured || !keys.IsEmpty;
            configured = false;
            loadedWrite = null;
            keys = [];
            return new TrustRootsState(keys, false, null, changed);
        }

        var written = File.GetLastWriteTimeUtc(path);
        if (configured && written == loadedWrite)
        {
            return new TrustRootsState(keys, true, null, false);
        }

        try
        {
            var parsed = Parse(File.ReadAllText(path));
            keys = parsed;
            configured = true;
            loadedWrite = written;
            return new TrustRootsState(keys, true, null, true);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or IOException or InvalidOperationException)
        {
            // Keep the last good set; the same broken file is reported again until it is fixed.
            return new TrustRootsState(keys, configured, $"{path}: {e.Message}", false);
        }
    }

    /// <summary>The keys of a JWKS document; a key without a <c>kid</c> or with a symmetric type is an error.</summary>
    public static ImmutableArray<TrustedKey> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException("not a JWKS document: it has no \"keys\" array");
        }

        var result = ImmutableArray.CreateBuilder<TrustedKey>();
        foreach (var element in list.EnumerateArray())
        {
            var key = new JsonWebKey(element.GetRawText());
            if (string.IsNullOrEmpty(key.Kid))
            {
                throw new InvalidOperationException("every key needs a \"kid\"");
            }

            if (key.Kty is not ("EC" or "RSA" or "OKP"))
            {
                throw new InvalidOperationException($"key {key.Kid}: kty {key.Kty} is not an asymmetric key type (EC, RSA, OKP)");
            }

            result.Add(new TrustedKey(key, Strings(element, TrustedKey.NamespacesMember), Strings(element, TrustedKey.TeamsMember)));
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<string> Strings(JsonElement key, string member) =>
        key.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}
