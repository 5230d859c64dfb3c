using Microsoft.Net.Http.Headers;

namespace AgentLens.Operator.Api;

/// <summary>
/// A 401 that tells the client how to authenticate. RFC 9110 §11.6.1 requires a <c>WWW-Authenticate</c>
/// challenge on every 401, and clients (curl's <c>--oauth2-bearer</c>, SDK auth handlers) decide from it
/// what to do next. The scheme is Bearer (RFC 6750 §3), with <c>error="invalid_token"</c> when a token was
/// sent and refused. A challenge the endpoint set already (the MCP endpoint's, which names its resource
/// metadata) is kept.
/// </summary>
internal sealed class Unauthorized(IResult body) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status401Unauthorized;

    public static string Challenge(HttpContext http, string? parameters = null) =>
        "Bearer realm=\"agentlens\"" + (parameters is null ? string.Empty : ", " + parameters)
        + (http.Request.Headers.Authorization.Count > 0 ? ", error=\"invalid_token\"" : string.Empty);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (!httpContext.Response.Headers.ContainsKey(HeaderNames.WWWAuthenticate))
        {
            httpContext.Response.Headers.WWWAuthenticate = Challenge(httpContext);
        }

        return body.ExecuteAsync(httpContext);
    }
}
