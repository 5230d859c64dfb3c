namespace AgentLens.Operator.Api;

internal sealed class OpenApiAccess : IApiAuthenticator
{
    public Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken) => Task.FromResult<IResult?>(null);
}
