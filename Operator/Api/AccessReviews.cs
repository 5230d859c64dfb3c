using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AgentLens.Operator.Api;

/// <summary>What a request wants to do, in SubjectAccessReview terms.</summary>
internal sealed record ResourceAccess(string Group, string Resource, string Verb, string? Namespace = null, string? Name = null, string? Version = null);

/// <summary>
/// Delegated authentication and authorization: bearer tokens by TokenReview, decisions by
/// SubjectAccessReview, both asked of the API server and remembered briefly, so a reconnect storm of
/// watchers does not become a review storm. Failing to reach the API server is an exception, never a
/// decision, and is not remembered. Tokens never seen before are reviewed at a bounded rate: three hundred
/// random tokens are not three hundred TokenReviews (a stranger past the rate is told to come back, 429).
/// Only a hash of a token is kept, never the token.
/// </summary>
internal sealed class AccessReviews(IKubernetes client, TimeProvider time, ApiOptions api, AggregatedApiOptions apiServer)
{
    private const int MaxRemembered = 10_000;
    private static readonly TimeSpan TokensFor = TimeSpan.FromSeconds(30);
    // A rejected token is remembered for less time: a token that was just minted is not refused for long.
    private static readonly TimeSpan RejectedTokensFor = TimeSpan.FromSeconds(10);
    private readonly TokenBucket newTokens = new(api.TokenReviewsPerSecond, time);
    private readonly TimeSpan decisionsFor = apiServer.AuthorizationCacheTtl;
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, UserInfo? User, string? Error)> tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, bool Allowed, string Reason)> decisions = new(StringComparer.Ordinal);

    /// <summary>The token's user, or why the API server did not accept the token.</summary>
    public async Task<(UserInfo? User, string? Error)> ReviewTokenAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (tokens.TryGetValue(key, out var known) && now - known.At < (known.User is null ? RejectedTokensFor : TokensFor))
        {
            return (known.User, known.Error);
        }

        if (!newTokens.TryTake())
        {
            throw new TokenReviewsThrottledException();
        }

        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken);
        var status = review.Status;
        var result = status?.Authenticated == true
            ? (now, new UserInfo(status.User.Username, [.. status.User.Groups ?? []], (status.User.Extra ?? new Dictionary<string, IList<string>>())
                .ToDictionary(e => e.Key, e => (IReadOnlyList<string>)[.. e.Value]), status.User.Uid), (string?)null)
            : (now, null, "the bearer token is not valid" + (status?.Error is { Length: > 0 } e ? $": {e}" : string.Empty));
        Remember(tokens, key, result);
        return (result.Item2, result.Item3);
    }

    /// <summary>Whether the user may do it, and the authorizer's reason when it says no.</summary>
    public async Task<(bool Allowed, string Reason)> AuthorizeAsync(UserInfo user, ResourceAccess access, CancellationToken cancellationToken)
    {
        var key = string.Join('\n', user.Name, user.Uid, string.Join(',', user.Groups), string.Join(';', user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={string.Join(',', e.Value)}")),
            access.Group, access.Resource, access.Verb, access.Namespace, access.Name);
        var now = time.GetUtcNow();
        if (decisions.TryGetValue(key, out var known) && now - known.At < decisionsFor)
        {
            return (known.Allowed, known.Reason);
        }

        var review = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Name,
                Groups = [.. user.Groups],
                Uid = user.Uid,
                Extra = user.Extra.ToDictionary(e => e.Key, e => (IList<string>)[.. e.Value]),
                ResourceAttributes = new V1ResourceAttributes
                {
                    Group = access.Group,
                    Version = access.Version,
                    Resource = access.Resource,
                    Verb = access.Verb,
                    NamespaceProperty = access.Namespace,
                    Name = access.Name,
                },
            },
        }, cancellationToken: cancellationToken);
        var decision = (now, review.Status?.Allowed == true, review.Status?.Reason ?? string.Empty);
        Remember(decisions, key, decision);
        return (decision.Item2, decision.Item3);
    }

    private static void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        cache[key] = value;
        if (cache.Count > MaxRemembered)
        {
            cache.Clear();
        }
    }

    /// <summary>The client should come back: 429 with Retry-After in both APIs.</summary>
    public const int ThrottledRetryAfterSeconds = 1;

    /// <summary>The API server could not be asked: not a decision, the client should retry.</summary>
    public static bool IsUnavailable(Exception e, CancellationToken cancellationToken) => !cancellationToken.IsCancellationRequested
        && e is HttpRequestException or TaskCanceledException or k8s.Autorest.HttpOperationException { Response.StatusCode: >= System.Net.HttpStatusCode.InternalServerError };

    /// <summary>Kubernetes' words for a refusal: <c>User "u" cannot list resource "agenttypes" in API group "g" in the namespace "n"</c>.</summary>
    public static string Refusal(UserInfo user, ResourceAccess access, string reason) =>
        $"{access.Resource}{(access.Group.Length > 0 ? $".{access.Group}" : string.Empty)}{(access.Name is null ? string.Empty : $" \"{access.Name}\"")} is forbidden: User \"{user.Name}\" cannot {access.Verb} resource \"{access.Resource}\" in API group \"{access.Group}\""
        + (access.Namespace is null ? " at the cluster scope" : $" in the namespace \"{access.Namespace}\"") + (reason.Length > 0 ? $": {reason}" : string.Empty);
}

/// <summary>More new tokens arrived than may be reviewed now: not a decision, the client should retry.</summary>
internal sealed class TokenReviewsThrottledException() : Exception("too many new bearer tokens to review right now; retry later");

/// <summary>
/// <paramref name="perSecond"/> takes a second, up to twice that at once; refilled from the clock on each
/// take, so nothing runs in the background.
/// </summary>
internal sealed class TokenBucket(int perSecond, TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly double capacity = Math.Max(1, perSecond * 2);
    private double tokens = Math.Max(1, perSecond * 2);
    private long refilledAt = time.GetTimestamp();

    public bool TryTake()
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            tokens = Math.Min(capacity, tokens + (time.GetElapsedTime(refilledAt, now).TotalSeconds * perSecond));
            refilledAt = now;
            if (tokens < 1)
            {
                return false;
            }

            tokens--;
            return true;
        }
    }
}
