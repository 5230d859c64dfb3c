using System.Net;

namespace AgentLens.Operator.Crawling;

/// <summary>
/// Remembers the first refusal of a client we do not read ourselves (the MCP SDK's, which turns a 401 into an
/// exception without its headers): a 401, or a 403 whose Bearer challenge says <c>insufficient_scope</c>,
/// with that challenge — so a protected server is told apart from a broken one.
/// </summary>
internal sealed class AuthChallengeHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private Refusal? refused;

    public (HttpStatusCode Status, BearerChallenge Challenge)? Refused => Volatile.Read(ref refused) is { } r ? (r.Status, r.Challenge) : null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && Volatile.Read(ref refused) is null)
        {
            var challenge = BearerChallenge.Parse(response.Headers.TryGetValues("WWW-Authenticate", out var values) ? values : null);
            if (response.StatusCode == HttpStatusCode.Unauthorized || challenge.Error == "insufficient_scope")
            {
                Interlocked.CompareExchange(ref refused, new Refusal(response.StatusCode, challenge), null);
            }
        }

        return response;
    }

    private sealed record Refusal(HttpStatusCode Status, BearerChallenge Challenge);
}
