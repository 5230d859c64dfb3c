namespace AgentLens.Operator.Api;

/// <summary>
/// A bearer token the API server accepts (TokenReview), and the one visibility rule of every reader API
/// (<see cref="CatalogVisibility"/>): the entries of the namespaces where the user may list
/// agenttypes.agentlens.io. A user who may see nothing of what was asked is refused (403).
/// </summary>
internal sealed class KubernetesApiAccess(AccessReviews reviews, CatalogVisibility visibility, ReadApiLogs logs, ILogger<KubernetesApiAccess> logger) : IApiAuthenticator
{
    public async Task<IResult?> CheckAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return CatalogApi.Error(401, "a Kubernetes bearer token is required in the Authorization header");
        }

        try
        {
            var (user, error) = await reviews.ReviewTokenAsync(header[7..].Trim(), cancellationToken);
            if (user is null)
            {
                return CatalogApi.Error(401, error!);
            }

            // Visibility is decided over the namespaces the catalog holds entries in: it has to be loaded.
            var cache = http.RequestServices.GetRequiredService<ICatalogView>();
            if (!await cache.WaitSyncedAsync(cancellationToken))
            {
                return CatalogApi.Error(503, ICatalogView.NotSyncedMessage);
            }

            var requested = http.Request.Query.TryGetValue("namespace", out var ns) && !string.IsNullOrEmpty(ns.FirstOrDefault()) ? ns.FirstOrDefault() : null;
            var seen = await visibility.ResolveAsync(user, cache, requested, cancellationToken);
            if (seen.IsNothing)
            {
                return CatalogApi.Error(403, AccessReviews.Refusal(user, CatalogVisibility.Rule("list", requested), string.Empty)
                    + (requested is null ? ", nor in any namespace of the catalog" : string.Empty));
            }

            http.Items[CatalogReader.Key] = new CatalogReader(user, seen);
            return null;
        }
        catch (TokenReviewsThrottledException e)
        {
            logs.Throttled();
            http.Response.Headers.RetryAfter = AccessReviews.ThrottledRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return CatalogApi.Error(429, e.Message);
        }
        catch (Exception e) when (AccessReviews.IsUnavailable(e, cancellationToken))
        {
            // Not a decision: nothing is remembered, and the client is told to come back.
            Log.ReviewUnavailable(logger, e.Message);
            http.Response.Headers.RetryAfter = "5";
            return CatalogApi.Error(503, "the Kubernetes API server is unreachable, so the request cannot be authenticated; retry later");
        }
    }
}
