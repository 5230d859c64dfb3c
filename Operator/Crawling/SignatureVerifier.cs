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
    public const string JkuLimitReached = "JkuLimitReached";
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
/// Keys come from the trust roots file, or from a <c>jku</c> URL only when an allow entry that covers the
/// agent's namespace allows it (<see cref="JkuAllowEntry"/>: parsed, never a string prefix) — fetched
/// through the crawler's limits, once per cycle at most (<see cref="JkuDocuments"/>); a signer cannot make
/// us trust a key just by pointing at it. ES256, ES384, RS256 and PS256 are checked
/// (Microsoft.IdentityModel); <c>none</c> and HMAC are refused, EdDSA is not available on this platform's
/// crypto stack and says so. Whatever a card's signatures hold, the answer is a verdict, never an exception.
/// </summary>
internal sealed class SignatureVerifier : ISignatureVerifier
{
    /// <summary>Signatures checked per card: a real card has one or two (a key rotation); each costs a verify.</summary>
    public const int MaxSignatures = 8;

    /// <summary>Distinct <c>jku</c> URLs one card may make us consider: one card must not spend the cycle's fetches.</summary>
    public const int MaxJkuPerCard = 4;

    private static readonly HashSet<string> Checked = new(StringComparer.Ordinal) { "ES256", "ES384", "RS256", "PS256" };
    private readonly TrustRoots roots;
    private readonly HttpFetcher fetcher;
    private readonly CrawlOptions crawl;
    private readonly Metrics metrics;
    private readonly int maxJkuPerCycle;
    private readonly ImmutableArray<JkuAllowEntry> allow;
    private JkuDocuments jkuDocuments;

    public SignatureVerifier(TrustRoots roots, TrustOptions options, HttpFetcher fetcher, CrawlOptions crawl, Metrics metrics)
    {
        (this.roots, this.fetcher, this.crawl, this.metrics, maxJkuPerCycle) = (roots, fetcher, crawl, metrics, options.MaxJkuPerCycle);
        // Validated at start-up (OperatorOptionsCrossValidator); an entry that still does not parse is a bug, not a tenant's doing.
        allow = [.. options.JkuAllow.Select(text => JkuAllowEntry.TryParse(text, out var entry, out var error) ? entry : throw new ArgumentException($"trust jkuAllow: {error}", nameof(options)))];
        jkuDocuments = new JkuDocuments(fetcher, crawl, maxJkuPerCycle);
    }

    public TrustRootsState StartCycle()
    {
        Interlocked.Exchange(ref jkuDocuments, new JkuDocuments(fetcher, crawl, maxJkuPerCycle));
        return roots.Refresh();
    }

    public async Task<SignatureVerdict> VerifyAsync(ReadOnlyMemory<byte> card, DiscoveredAgent agent, CancellationToken cancellationToken)
    {
        SignatureVerdict verdict;
        try
        {
            verdict = await CheckAsync(card, agent, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The last guard: a failure the checks below did not foresee is still the card's verdict, not a failed crawl.
            verdict = Malformed($"the signatures could not be checked ({e.GetType().Name})");
        }

        metrics.SignatureChecked(verdict.Reason);
        return verdict;
    }

    private async Task<SignatureVerdict> CheckAsync(ReadOnlyMemory<byte> card, DiscoveredAgent agent, CancellationToken cancellationToken)
    {
        List<JsonElement> signatures;
        string payload;
        using (var document = JsonDocument.Parse(card))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("signatures", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                return new(ConditionStatus.Unknown, SignatureVerdict.Unsigned, "the card carries no signature");
            }

            signatures = [.. list.EnumerateArray().Select(e => e.Clone())];
            payload = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(CardCanonicalizer.Canonicalize(card.Span)));
        }

        if (!roots.Configured && allow.IsEmpty)
        {
            return new(ConditionStatus.Unknown, SignatureVerdict.NoTrustRoots, $"the card carries {signatures.Count} signature(s), but no trust roots are configured (--trust-jwks)");
        }

        var failures = new List<SignatureVerdict>();
        var jkus = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in signatures.Take(MaxSignatures))
        {
            var result = await CheckOneAsync(signature, payload, agent, jkus, cancellationToken);
            if (result.Status == ConditionStatus.True)
            {
                return result;
            }

            failures.Add(result);
        }

        // The most telling failure: a trusted key that rejects the signature says more than an unknown key.
        string[] rank = [SignatureVerdict.InvalidSignature, SignatureVerdict.UntrustedKey, SignatureVerdict.JkuLimitReached, SignatureVerdict.UnsupportedAlgorithm, SignatureVerdict.MalformedSignature];
        var best = failures.OrderBy(f => Array.IndexOf(rank, f.Reason)).First();
        return signatures.Count <= MaxSignatures ? best
            : best with { Message = $"{best.Message}; {signatures.Count - MaxSignatures} more signature(s) not checked (at most {MaxSignatures} per card)" };
    }

    private async Task<SignatureVerdict> CheckOneAsync(JsonElement signature, string payload, DiscoveredAgent agent, HashSet<string> jkus, CancellationToken cancellationToken)
    {
        if (signature.ValueKind != JsonValueKind.Object
            || !signature.TryGetProperty("protected", out var protectedPart) || protectedPart.ValueKind != JsonValueKind.String
            || !signature.TryGetProperty("signature", out var signaturePart) || signaturePart.ValueKind != JsonValueKind.String)
        {
            return Malformed("a signature needs \"protected\" and \"signature\" strings");
        }

        string? alg, kid, typ, jku;
        try
        {
            using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(protectedPart.GetString()!));
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Malformed($"the protected header is JSON but not an object (a {header.RootElement.ValueKind})");
            }

            string? Member(string name) => header.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            (alg, kid, typ, jku) = (Member("alg"), Member("kid"), Member("typ"), Member("jku"));
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return Malformed($"the protected header is not base64url JSON ({e.GetType().Name})");
        }

        if (alg is null || kid is null || typ is null)
        {
            return Malformed("the protected header must name alg, kid and typ");
        }

        var (algText, kidText) = (Shown(alg), Shown(kid));
        if (alg == "none" || alg.StartsWith("HS", StringComparison.Ordinal))
        {
            return new(ConditionStatus.False, SignatureVerdict.UnsupportedAlgorithm, $"{algText} (key {kidText}) is refused: only asymmetric signatures prove who signed");
        }

        if (!Checked.Contains(alg))
        {
            return new(ConditionStatus.False, SignatureVerdict.UnsupportedAlgorithm, $"{algText} (key {kidText}) is not supported here (ES256, ES384, RS256, PS256)");
        }

        var source = agent.Source;
        var @namespace = source.Type == SourceType.Kubernetes ? source.Namespace : null;
        var candidates = roots.Keys.Where(k => k.Key.Kid == kid && k.Covers(@namespace, agent.Team)).ToList();
        string? jkuNote = null;
        if (jku is not null)
        {
            var (keys, limit, note) = await JkuKeysAsync(jku, @namespace, jkus, cancellationToken);
            candidates.AddRange(keys.Where(k => k.Key.Kid == kid));
            if (candidates.Count == 0 && limit is not null)
            {
                return new(ConditionStatus.False, SignatureVerdict.JkuLimitReached, $"no trusted key {kidText} for this agent, and its jku was not fetched: {limit}");
            }

            jkuNote = note;
        }

        if (candidates.Count == 0)
        {
            return new(ConditionStatus.False, SignatureVerdict.UntrustedKey, $"no trusted key {kidText} for this agent" + (jkuNote is null ? string.Empty : $" ({jkuNote})"));
        }

        byte[] signatureBytes;
        try
        {
            signatureBytes = Base64UrlEncoder.DecodeBytes(signaturePart.GetString()!);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Invalid(kidText, algText, "its value is not base64url");
        }

        var input = Encoding.ASCII.GetBytes($"{protectedPart.GetString()}.{payload}");
        foreach (var candidate in candidates.Where(c => c.Key.Alg is null or "" || c.Key.Alg == alg))
        {
            if (Verify(candidate.Key, alg, input, signatureBytes))
            {
                return new(ConditionStatus.True, SignatureVerdict.Verified, $"signed by key {kidText} ({algText})");
            }
        }

        return Invalid(kidText, algText, "it does not match the card: the card changed after signing, or another key signed it");
    }

    /// <summary>False for a key that cannot check <paramref name="alg"/> at all (another type, broken material), as for a wrong signature.</summary>
    private static bool Verify(JsonWebKey key, string alg, byte[] input, byte[] signature)
    {
        SignatureProvider? provider = null;
        try
        {
            if (!key.CryptoProviderFactory.IsSupportedAlgorithm(alg, key))
            {
                return false;
            }

            provider = key.CryptoProviderFactory.CreateForVerifying(key, alg);
            return provider.Verify(input, signature);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException or InvalidOperationException
            or System.Security.Cryptography.CryptographicException or SecurityTokenException)
        {
            return false;
        }
        finally
        {
            if (provider is not null)
            {
                key.CryptoProviderFactory.ReleaseSignatureProvider(provider);
            }
        }
    }

    /// <summary>
    /// The keys of a signature's <c>jku</c>, if an allow entry covering this agent allows it and the card's and
    /// the cycle's limits leave room; otherwise none, with why (<c>Limit</c> when only a limit stood in the way).
    /// </summary>
    private async Task<(IEnumerable<TrustedKey> Keys, string? Limit, string? Note)> JkuKeysAsync(string jku, string? @namespace, HashSet<string> jkus, CancellationToken cancellationToken)
    {
        if (!JkuAllowEntry.TryParseJku(jku, out var url, out var problem))
        {
            return ([], null, $"its jku was refused and not fetched: {problem}");
        }

        var shown = Shown(url.AbsoluteUri, 160);
        if (!allow.Any(entry => entry.Covers(@namespace) && entry.Allows(url)))
        {
            return ([], null, $"jku {shown} is not in --trust-jku-allow for this agent, so it was not fetched");
        }

        if (!jkus.Contains(url.AbsoluteUri) && jkus.Count >= MaxJkuPerCard)
        {
            return ([], $"the card names more than {MaxJkuPerCard} distinct jku URLs; the rest are not checked", null);
        }

        jkus.Add(url.AbsoluteUri);
        if (jkuDocuments.Get(url) is not { } fetch)
        {
            return ([], $"this cycle already fetched {maxJkuPerCycle} distinct jku URLs (--trust-max-jku-per-cycle); the rest are not checked until the next cycle", null);
        }

        // The fetch is shared and has its own timeout: this agent stops waiting at its budget, the fetch goes on.
        var document = await fetch.WaitAsync(cancellationToken);
        return (document.Keys, null, document.Problem is null ? null : $"jku {shown} could not be read: {document.Problem}");
    }

    /// <summary>A header value as a condition message may show it: printable ASCII, not too long (it is the signer's text).</summary>
    private static string Shown(string text, int max = 64)
    {
        var printable = new string([.. text.Take(max).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
        return text.Length > max ? printable + "…" : printable;
    }

    private static SignatureVerdict Invalid(string kid, string alg, string why) =>
        new(ConditionStatus.False, SignatureVerdict.InvalidSignature, $"the signature by key {kid} ({alg}) is not valid: {why}");

    private static SignatureVerdict Malformed(string message) => new(ConditionStatus.False, SignatureVerdict.MalformedSignature, message);
}
