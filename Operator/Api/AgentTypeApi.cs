using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>
/// The catalog as the Kubernetes API group <c>agentlens.io/v1alpha1</c>, served on a TLS port to the
/// aggregation layer (as metrics-server serves <c>metrics.k8s.io</c>) by every replica from the same
/// <see cref="ICatalogView"/> and <see cref="CatalogFilter"/> as the HTTP catalog API: discovery, OpenAPI v2,
/// <c>get</c>, <c>list</c> and <c>watch</c> of namespaced <c>agenttypes</c> (JSON or kubectl's Table), and
/// <c>405 MethodNotAllowed</c> for every write — the catalog is written by discovery and by push ConfigMaps.
/// Every request is authenticated (the aggregator's front-proxy certificate, or a bearer token sent
/// straight to the port) and every resource request authorized by a delegated SubjectAccessReview.
/// </summary>
internal static class AgentTypeApi
{
    public const string Listener = "apiserver";
    private const string UserKey = "agentlens.user";
    private static readonly string[] Writes = ["POST", "PUT", "PATCH", "DELETE"];

    public static void AddAgentTypeApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FrontProxyAuthentication>();
        builder.Services.AddSingleton(sp => new ServingCertificate(sp.GetRequiredService<AggregatedApiOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ServingCertificate>>()));
    }

    public static void MapAgentTypeApi(this WebApplication app)
    {
        var api = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!Listeners.On(http, Listener))
            {
                return Results.NotFound();
            }

            return await AuthenticateAsync(http) ?? await next(context);
        });
        api.MapGet("/apis", () => new AgentTypeObjects.JsonBytes(AgentTypeSchema.GroupList));
        api.MapGet($"/apis/{AgentTypeObjects.Group}", () => new AgentTypeObjects.JsonBytes(AgentTypeSchema.Group));
        api.MapGet($"/apis/{AgentTypeObjects.GroupVersion}", () => new AgentTypeObjects.JsonBytes(AgentTypeSchema.ResourceList));
        api.MapGet("/openapi/v2", () => new AgentTypeObjects.JsonBytes(AgentTypeSchema.OpenApiV2));

        var all = $"/apis/{AgentTypeObjects.GroupVersion}/{AgentTypeObjects.Resource}";
        var namespaced = $"/apis/{AgentTypeObjects.GroupVersion}/namespaces/{{namespace}}/{AgentTypeObjects.Resource}";
        api.MapGet(all, (HttpContext http, CancellationToken _) => CollectionAsync(http, null));
        api.MapGet(namespaced, (HttpContext http, string @namespace) => CollectionAsync(http, @namespace));
        api.MapGet($"{namespaced}/{{name}}", (HttpContext http, string @namespace, string name) => ItemAsync(http, @namespace, name));
        foreach (var path in (string[])[all, namespaced, $"{namespaced}/{{name}}"])
        {
            api.MapMethods(path, Writes, (HttpContext http, CancellationToken _) => AgentTypeObjects.Status(405, "MethodNotAllowed",
                $"the AgentType API is read-only: {http.Request.Method} is not allowed (discovery writes the catalog; a push entry is a ConfigMap in the store namespace, see docs/catalog.md)"));
        }
    }

    /// <summary>Who is asking: the aggregator's forwarded user, or a bearer token's; null when known, else the refusal.</summary>
    private static async Task<IResult?> AuthenticateAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        UserInfo? user;
        string? problem;
        try
        {
            if (http.Connection.ClientCertificate is not null)
            {
                (user, problem) = await services.GetRequiredService<FrontProxyAuthentication>().AuthenticateAsync(http, ct);
            }
            else if (http.Request.Headers.Authorization.FirstOrDefault() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7)
            {
                (user, problem) = await services.GetRequiredService<AccessReviews>().ReviewTokenAsync(header[7..].Trim(), ct);
            }
            else
            {
                (user, problem) = (null, "neither a front-proxy client certificate nor a bearer token");
            }
        }
        catch (TokenReviewsThrottledException e)
        {
            services.GetRequiredService<ReadApiLogs>().Throttled();
            http.Response.Headers.RetryAfter = AccessReviews.ThrottledRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return AgentTypeObjects.Status(429, "TooManyRequests", e.Message);
        }
        catch (Exception e) when (AccessReviews.IsUnavailable(e, ct))
        {
            return Unavailable(http, e);
        }

        if (user is null || user.IsAnonymous)
        {
            // Anybody who can connect can cause this line: it is sampled, with a count.
            services.GetRequiredService<ReadApiLogs>().Refused(http.Request.Method, http.Request.Path, problem ?? "anonymous");
            return AgentTypeObjects.Status(401, "Unauthorized", "Unauthorized");
        }

        http.Items[UserKey] = user;
        return null;
    }

    private static async Task<IResult?> AuthorizeAsync(HttpContext http, ResourceAccess access)
    {
        var user = (UserInfo)http.Items[UserKey]!;
        try
        {
            var (allowed, reason) = await http.RequestServices.GetRequiredService<CatalogVisibility>().AuthorizeAsync(user, access, http.RequestAborted);
            return allowed ? null : AgentTypeObjects.Status(403, "Forbidden", AccessReviews.Refusal(user, access, reason), access.Name);
        }
        catch (Exception e) when (AccessReviews.IsUnavailable(e, http.RequestAborted))
        {
            return Unavailable(http, e);
        }
    }

    private static IResult Unavailable(HttpContext http, Exception e)
    {
        Log.ReviewUnavailable(Logger(http), e.Message);
        http.Response.Headers.RetryAfter = "5";
        return AgentTypeObjects.Status(503, "ServiceUnavailable", "the Kubernetes API server is unreachable, so the request cannot be authenticated or authorized; retry later");
    }

    private static async Task<IResult> CollectionAsync(HttpContext http, string? @namespace)
    {
        var watch = Flag(http, "watch");
        var (refused, cache, storeNamespace) = await AdmitAsync(http, Access(watch ? "watch" : "list", @namespace, null));
        if (refused is not null)
        {
            return refused;
        }

        var services = http.RequestServices;

        if (!TryFilter(http, @namespace, storeNamespace, out var filter, out var error))
        {
            return AgentTypeObjects.Status(400, "BadRequest", error);
        }

        var table = WantsTable(http, out var include);
        var ids = services.GetRequiredService<WireIds>();
        if (watch)
        {
            var request = new WatchRequest(filter, storeNamespace, table, include, Flag(http, "allowWatchBookmarks"), Query(http, "resourceVersion"), TimeoutSeconds(http), @namespace);
            return new AgentTypeWatch(request, cache, ids, services.GetRequiredService<WatchAdmission>(), ((UserInfo)http.Items[UserKey]!).Name,
                services.GetRequiredService<AggregatedApiOptions>().BookmarkInterval, services.GetRequiredService<TimeProvider>());
        }

        var (version, items) = cache.Snapshot();
        var rows = items.Where(filter.Matches).Select(i => (i, ids.ResourceVersion(cache.VersionOf(i))));
        var listVersion = ids.ResourceVersion(version);
        return new AgentTypeObjects.JsonBytes(table
            ? AgentTypeObjects.TableBytes(rows, listVersion, storeNamespace, include, withColumns: true, services.GetRequiredService<TimeProvider>().GetUtcNow())
            : AgentTypeObjects.ListBytes(rows, listVersion, storeNamespace));
    }

    private static async Task<IResult> ItemAsync(HttpContext http, string @namespace, string name)
    {
        var (refused, cache, storeNamespace) = await AdmitAsync(http, Access("get", @namespace, name));
        if (refused is not null)
        {
            return refused;
        }

        var services = http.RequestServices;

        var item = cache.Get(name);
        if (item?.Entry is null || CatalogFilter.ServedNamespace(item, storeNamespace) != @namespace)
        {
            return AgentTypeObjects.Status(404, "NotFound", $"{AgentTypeObjects.Resource}.{AgentTypeObjects.Group} \"{name}\" not found", name);
        }

        var rv = services.GetRequiredService<WireIds>().ResourceVersion(cache.VersionOf(item));
        return new AgentTypeObjects.JsonBytes(WantsTable(http, out var include)
            ? AgentTypeObjects.TableBytes([(item, rv)], rv, storeNamespace, include, withColumns: true, services.GetRequiredService<TimeProvider>().GetUtcNow())
            : AgentTypeObjects.ObjectBytes(item, rv, storeNamespace));
    }

    /// <summary>A resource request may go on when its user is authorized and the cache is synced.</summary>
    private static async Task<(IResult? Refused, ICatalogView Cache, string StoreNamespace)> AdmitAsync(HttpContext http, ResourceAccess access)
    {
        var cache = http.RequestServices.GetRequiredService<ICatalogView>();
        var storeNamespace = http.RequestServices.GetRequiredService<StoreNamespace>().Name;
        var refused = await AuthorizeAsync(http, access)
            ?? (await cache.WaitSyncedAsync(http.RequestAborted) ? null : AgentTypeObjects.Status(503, "ServiceUnavailable", ICatalogView.NotSyncedMessage));
        return (refused, cache, storeNamespace);
    }

    private static ResourceAccess Access(string verb, string? @namespace, string? name) => CatalogVisibility.Rule(verb, @namespace, name);

    /// <summary>The same filter code as the HTTP catalog API, plus the namespace of the path and field selectors.</summary>
    private static bool TryFilter(HttpContext http, string? @namespace, string storeNamespace, [NotNullWhen(true)] out CatalogFilter? filter, [NotNullWhen(false)] out string? error)
    {
        var labelSelector = Query(http, "labelSelector");
        var requirements = new List<Func<StoredEntry, bool>> { e => e.Entry is not null };
        if (@namespace is not null)
        {
            requirements.Add(e => CatalogFilter.ServedNamespace(e, storeNamespace) == @namespace);
        }

        if (!CatalogFilter.TryParse(q => q == "labelSelector" ? labelSelector : null, out filter, out error)
            || !CatalogFilter.TryParseFields(Query(http, "fieldSelector"), storeNamespace, requirements, out error))
        {
            filter = null;
            return false;
        }

        filter = filter with { Requirements = requirements };
        return true;
    }

    /// <summary>kubectl asks for <c>application/json;as=Table;v=v1;g=meta.k8s.io</c>; rows carry metadata unless told otherwise.</summary>
    private static bool WantsTable(HttpContext http, out AgentTypeObjects.RowObject include)
    {
        include = Query(http, "includeObject") switch
        {
            "None" => AgentTypeObjects.RowObject.None,
            "Object" => AgentTypeObjects.RowObject.Object,
            _ => AgentTypeObjects.RowObject.Metadata,
        };
        return http.Request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal) && a.Contains("g=meta.k8s.io", StringComparison.Ordinal));
    }

    /// <summary>The client's timeoutSeconds, at most the longest watch this API serves (any number parses; none overflows a timer).</summary>
    private static TimeSpan? TimeoutSeconds(HttpContext http) =>
        long.TryParse(Query(http, "timeoutSeconds"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(Math.Min(s, (long)AgentTypeWatch.MaxTimeout.TotalSeconds))
            : null;

    private static bool Flag(HttpContext http, string name) => Query(http, name) is "1" or "true" or "True";

    private static string? Query(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.FirstOrDefault()) ? values.FirstOrDefault() : null;

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AgentLens.Operator.AgentTypeApi");
}
