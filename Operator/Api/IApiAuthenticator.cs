namespace AgentLens.Operator.Api;

/// <summary>Decides whether a caller may read the catalog, and what of it; null means yes, else the error to answer.</summary>
internal interface IApiAuthenticator
{
    Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken);
}
