using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;
using Microsoft.IdentityModel.Tokens;

namespace AgentLens.Operator.Crawling;

/// <summary>What the check of a card's signatures found, as the entry's <c>SignatureVerified</c> condition says it.</summary>
internal sealed record SignatureVerdict(ConditionStatus Status, string Reason, string Message)
{
    public const string Verified = "Verified";
    public const string Unsigned = "Unsigned";
    public const string NoTrustRoots = "NoTrustRoots";
    public const string InvalidSignature = "InvalidSignature";
    public const string UntrustedKey = "UntrustedKey";
    public const string MalformedSignature = "MalformedSignature";
    public const string UnsupportedAlgorithm = "UnsupportedAlgorithm";
}

/// <summary>Checks A2A card signatures against the platform team's trust roots.</summary>
internal interface ISignatureVerifier
{
    /// <summary>Called at the start of each cycle: re-reads the trust roots, forgets last cycle's <c>jku</c> documents.</summary>
    TrustRootsState StartCycle();

    Task<SignatureVerdict> VerifyAsync(ReadOnlyMemory<byte> card, DiscoveredAgent agent, CancellationToken cancellationToken);
}

/// <summary>
/// A2A card signatures (spec §8.4): each entry of <c>signatures</c> is a flattened JWS whose payload is the
/// card's canonical form (<see cref="CardCanonicalizer"/>); its protected header must name <c>alg</c>,
/// <c>kid</c> and <c>typ</c>, as the official SDK requires. The card is verified when one signature checks
/// out with a trusted key that covers the agent (by <c>kid</c>, and the key's namespaces/teams scope).
/// Keys come from the trust roots file, or from a <c>jku</c> URL only when it lies under an allowed prefix —
/// fetched through the crawler's limits, once per cycle at most; a signer cannot make us trust a key just
/// by pointing at it. ES256, ES384, RS256 and PS256 are checked (Microsoft.IdentityModel); <c>none</c> and
/// HMAC are refused, EdDSA is not available on this platform's crypto stack and says so.
/// </summary>
internal sealed class SignatureVerifier(TrustRoots roots, TrustOptions options, HttpFetcher fetcher, CrawlOptions crawl, Metrics metrics) : ISignatureVerifier
{
    private static readonly HashSet<string> Checked = new(StringComparer.Ordinal) { "ES256", "ES384", "RS256", "PS256" };
    private ConcurrentDictionary<string, Lazy<Task<ImmutableArray<TrustedKey>>>> jkuDocuments = new(StringComparer.Ordinal);

    public TrustRootsState StartCycle()
    {
        Interlocked.Exchange(ref jkuDocuments, new(StringComparer.Ordinal));
        return roots.Refresh();
    }

    public async Task<SignatureVerdict> VerifyAsync(ReadOnlyMemory<byte> card, DiscoveredAgent agent, CancellationToken cancellationToken)
    {
        var verdict = await CheckAsync(card, agent, cancellationToken);
        metrics.SignatureChecked(verdict.Reason);
        return verdict;
    }

    private async Task<SignatureVerdict> CheckAsync(ReadOnlyMemory<byte> card, DiscoveredAgent agent, CancellationToken cancellationToken)
    {
        List<JsonElement> signatures;
        string payload;
        using (var document = JsonDocument.Parse(card))
        {
            if (!document.RootElement.TryGetProperty("signatures", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                return new(ConditionStatus.Unknown, SignatureVerdict.Unsigned, "the card carries no signature");
            }

            signatures = [.. list.EnumerateArray().Select(e => e.Clone())];
            payload = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(CardCanonicalizer.Canonicalize(card.Span)));
        }

        if (!roots.Configured && options.JkuAllow.Count == 0)
        {
            return new(ConditionStatus.Unknown, SignatureVerdict.NoTrustRoots, $"the card carries {signatures.Count} signature(s), but no trust roots are configured (--trust-jwks)");
        }

        var failures = new List<SignatureVerdict>();
        foreach (var signature in signatures)
        {
            var result = await CheckOneAsync(signature, payload, agent, cancellationToken);
            if (result.Status == ConditionStatus.True)
            {
                return result;
            }

            failures.Add(result);
        }

        // The most telling failure: a trusted key that rejects the signature says more than an unknown key.
        string[] rank = [SignatureVerdict.InvalidSignature, SignatureVerdict.UntrustedKey, SignatureVerdict.UnsupportedAlgorithm, SignatureVerdict.MalformedSignature];
        return failures.OrderBy(f => Array.IndexOf(rank, f.Reason)).First();
    }

    private async Task<SignatureVerdict> CheckOneAsync(JsonElement signature, string payload, DiscoveredAgent agent, CancellationToken cancellationToken)
    {
        if (signature.ValueKind != JsonValueKind.Object
            || !signature.TryGetProperty("protected", out var protectedPart) || protectedPart.ValueKind != JsonValueKind.String
            || !signature.TryGetProperty("signature", out var signaturePart) || signaturePart.ValueKind != JsonValueKind.String)
        {
            return Malformed("a signature needs \"protected\" and \"signature\" strings");
        }

        string? alg, kid, typ, jku;
        byte[] signatureBytes;
        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(protectedPart.GetString()!));
            string? Member(string name) => header.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            (alg, kid, typ, jku) = (Member("alg"), Member("kid"), Member("typ"), Member("jku"));
            signatureBytes = Base64UrlEncoder.DecodeBytes(signaturePart.GetString()!);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return Malformed($"the protected header or the signature is not base64url JSON: {e.Message}");
        }

        if (alg is null || kid is null || typ is null)
        {
            return Malformed("the protected header must name alg, kid and typ");
        }

        if (alg == "none" || alg.StartsWith("HS", StringComparison.Ordinal))
        {
            return new(ConditionStatus.False, SignatureVerdict.UnsupportedAlgorithm, $"{alg} (key {kid}) is refused: only asymmetric signatures prove who signed");
        }

        if (!Checked.Contains(alg))
        {
            return new(ConditionStatus.False, SignatureVerdict.UnsupportedAlgorithm, $"{alg} (key {kid}) is not supported here (ES256, ES384, RS256, PS256)");
        }

        var source = agent.Source;
        var candidates = roots.Keys.Where(k => k.Key.Kid == kid && k.Covers(source.Type == SourceType.Kubernetes ? source.Namespace : null, agent.Team)).ToList();
        if (jku is not null && JkuAllowed(jku))
        {
            candidates.AddRange((await JkuKeysAsync(jku, cancellationToken)).Where(k => k.Key.Kid == kid));
        }

        if (candidates.Count == 0)
        {
            return new(ConditionStatus.False, SignatureVerdict.UntrustedKey, $"no trusted key {kid} for this agent" + (jku is null || JkuAllowed(jku) ? string.Empty : $" (jku {jku} is not in --trust-jku-allow, so it was not fetched)"));
        }

        var input = Encoding.ASCII.GetBytes($"{protectedPart.GetString()}.{payload}");
        foreach (var candidate in candidates.Where(c => c.Key.Alg is null or "" || c.Key.Alg == alg))
        {
            if (Verify(candidate.Key, alg, input, signatureBytes))
            {
                return new(ConditionStatus.True, SignatureVerdict.Verified, $"signed by key {kid} ({alg})");
            }
        }

        return new(ConditionStatus.False, SignatureVerdict.InvalidSignature, $"the signature by key {kid} ({alg}) does not match the card: the card changed after signing, or another key signed it");
    }

    private static bool Verify(JsonWebKey key, string alg, byte[] input, byte[] signature)
    {
        if (!key.CryptoProviderFactory.IsSupportedAlgorithm(alg, key))
        {
            return false;
        }

        var provider = key.CryptoProviderFactory.CreateForVerifying(key, alg);
        try
        {
            return provider.Verify(input, signature);
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
        finally
        {
            key.CryptoProviderFactory.ReleaseSignatureProvider(provider);
        }
    }

    private bool JkuAllowed(string jku) =>
        Uri.TryCreate(jku, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
        && options.JkuAllow.Any(prefix => jku.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>An allowed <c>jku</c>'s keys, fetched once per cycle through the crawler's limits; none when it cannot be read.</summary>
    private Task<ImmutableArray<TrustedKey>> JkuKeysAsync(string jku, CancellationToken cancellationToken) =>
        jkuDocuments.GetOrAdd(jku, url => new Lazy<Task<ImmutableArray<TrustedKey>>>(async () =>
        {
            var (response, _) = await fetcher.SendAsync(new FetchRequest { Url = url, Timeout = crawl.Timeout, Accept = "application/jwk-set+json, application/json" }, cancellationToken);
            if (response is not { IsSuccess: true })
            {
                return [];
            }

            try
            {
                // Keys from an allowed jku are trusted for every agent: the allow-list is the platform team's word.
                return [.. TrustRoots.Parse(Encoding.UTF8.GetString(response.Body.Span)).Select(k => k with { Namespaces = [], Teams = [] })];
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
            {
                return [];
            }
        })).Value;

    private static SignatureVerdict Malformed(string message) => new(ConditionStatus.False, SignatureVerdict.MalformedSignature, message);
}
