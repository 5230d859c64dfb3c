namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// Who sees what of the registry. A bearer token: what its user may <c>list</c> as agenttypes.agentlens.io,
/// decided by the catalog API's own authenticator (TokenReview + SubjectAccessReview). No credentials: the
/// public view, the entries of the namespaces <see cref="PublicNamespaces"/> lists and nothing else, or 401
/// when there is no public view. With <c>--api-auth none</c> every reader API is open, this one too.
/// </summary>
internal sealed class RegistryAccess(IApiAuthenticator authenticator, PublicNamespaces publicView)
{
    public async Task<(Visibility? Seen, IResult? Denied)> ResolveAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (authenticator is OpenApiAccess)
        {
            return (Visibility.All, null);
        }

        if (http.Request.Headers.Authorization.Count == 0)
        {
            return publicView.IsOn
                ? (new Visibility(publicView.Current), null)
                : (null, RegistryApi.Error(401, "a Kubernetes bearer token is required in the Authorization header (this registry has no public view)"));
        }

        if (await authenticator.CheckAsync(http, cancellationToken) is { } denied)
        {
            return (null, denied);
        }

        // An authenticator that let the request through without saying what it sees grants nothing.
        return (http.Items[CatalogReader.Key] is CatalogReader reader ? reader.Visibility : new Visibility(new HashSet<string>()), null);
    }
}
