using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using Microsoft.AspNetCore.Http.Features;

namespace AgentLens.Operator.Api.Registry;

/// <summary>
/// The MCP Registry API v0.1, read-only, on its own listener: <c>GET /v0.1/servers</c>,
/// <c>/v0.1/servers/{serverName}/versions</c> and <c>/v0.1/servers/{serverName}/versions/{version|latest}</c>,
/// one server per MCP entry the caller may see (<see cref="RegistryView"/>); publishing and status routes
/// answer 501. <c>serverName</c> is one percent-encoded segment, so routes are read from the raw request target.
/// Who sees what: a bearer token as the catalog API decides it; no credentials, the public view (or 401).
/// </summary>
internal static class RegistryApi
{
    public const string Listener = "registry";
    private const string Json = "application/json";

    public static void AddRegistryApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RegistryView>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegistryView>());
        builder.Services.AddSingleton<PublicNamespaces>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PublicNamespaces>());
        builder.Services.AddSingleton<RegistryAccess>();
        builder.Services.AddSingleton<RegistryCertificate>();
    }

    public static void MapRegistryApi(this WebApplication app)
    {
        var registry = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
            Listeners.On(context.HttpContext, Listener) ? await next(context) : Results.NotFound());
        registry.Map("/v0.1/{**rest}", ServeAsync);
        registry.Map("/.well-known/ai-catalog.json", AiCatalogApi.ServeAsync);
        registry.Map("/.well-known/ard.json", AiCatalogApi.ServeAsync);
    }

    /// <summary>CORS for browser-based clients: anyone may read; a preflight gets 204.</summary>
    public static bool Cors(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlAllowMethods = "GET, OPTIONS";
        headers.AccessControlAllowHeaders = "Authorization, Content-Type";
        if (!HttpMethods.IsOptions(http.Request.Method))
        {
            return false;
        }

        headers.AccessControlMaxAge = "86400";
        http.Response.StatusCode = 204;
        return true;
    }

    private static async Task ServeAsync(HttpContext http)
    {
        if (Cors(http))
        {
            return;
        }

        var segments = Segments(http);
        var method = http.Request.Method;
        var result = Route(segments, method) switch
        {
            Op.List => await ReadAsync(http, (view, seen) => List(http, view, seen)),
            Op.Versions => await ReadAsync(http, (view, seen) => Versions(http, view, seen, segments)),
            Op.Version => await ReadAsync(http, (view, seen) => Single(http, view, seen, segments)),
            Op.NotImplemented => Error(501, segments[0] == "publish" ? "Publishing is not supported by this registry: it lists the cluster's catalog (docs/registry.md)"
                : "Updates and status changes are not supported by this registry: it lists the cluster's catalog (docs/registry.md)"),
            Op.MethodNotAllowed => Error(405, $"{method} is not allowed here; the registry is read-only (GET)"),
            _ => Error(404, "Not found: the registry serves /v0.1/servers, /v0.1/servers/{serverName}/versions and /v0.1/servers/{serverName}/versions/{version}"),
        };
        await result.ExecuteAsync(http);
    }

    private enum Op
    {
        NotFound,
        List,
        Versions,
        Version,
        NotImplemented,
        MethodNotAllowed,
    }

    private static Op Route(string[] s, string method)
    {
        var get = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        return s switch
        {
            ["servers"] => get ? Op.List : Op.MethodNotAllowed,
            ["servers", _, "versions"] => get ? Op.Versions : Op.MethodNotAllowed,
            ["servers", _, "versions", _] => get ? Op.Version : HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) ? Op.NotImplemented : Op.MethodNotAllowed,
            ["servers", _, "versions", _, "status"] or ["servers", _, "status"] => HttpMethods.IsPatch(method) ? Op.NotImplemented : Op.MethodNotAllowed,
            ["publish"] => HttpMethods.IsPost(method) ? Op.NotImplemented : Op.MethodNotAllowed,
            _ => Op.NotFound,
        };
    }

    /// <summary>
    /// The path after <c>/v0.1/</c> in segments, each percent-decoded once, from the raw target (the decoded
    /// path would turn <c>%2F</c> into a separator). A name sent with its slash unencoded is joined back.
    /// </summary>
    internal static string[] Segments(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        const string prefix = "/v0.1/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return [];
        }

        var parts = path[prefix.Length..].TrimEnd('/').Split('/').Select(Uri.UnescapeDataString).ToList();
        if (parts is ["servers", _, _, ..] && parts[2] is not ("versions" or "status") && !parts[1].Contains('/', StringComparison.Ordinal))
        {
            parts[1] += "/" + parts[2];
            parts.RemoveAt(2);
        }

        return [.. parts];
    }

    private static async Task<IResult> ReadAsync(HttpContext http, Func<RegistryView, Visibility, IResult> read)
    {
        var view = http.RequestServices.GetRequiredService<RegistryView>();
        if (!await view.WaitReadyAsync(http.RequestAborted))
        {
            return Error(503, ICatalogView.NotSyncedMessage);
        }

        var (seen, denied) = await http.RequestServices.GetRequiredService<RegistryAccess>().ResolveAsync(http, http.RequestAborted);
        return denied ?? read(view, seen!);
    }

    private static IResult List(HttpContext http, RegistryView view, Visibility seen)
    {
        if (!RegistryQuery.TryParse(q => Query(http, q), out var query, out var error))
        {
            return Error(400, error);
        }

        var snapshot = view.Current;
        var found = query.Search is { } text
            ? RegistrySearch.Found(http.RequestServices.GetService<IAgentSearch>(), text, seen, http.RequestServices.GetRequiredService<StoreNamespace>().Name, snapshot.Servers.Length)
            : null;
        var page = new List<RegistryServer>(query.Limit);
        string? next = null;
        for (var i = query.After is null ? 0 : snapshot.After(query.After); i < snapshot.Servers.Length; i++)
        {
            var server = snapshot.Servers[i];
            if (!Sees(seen, server) || !query.Matches(server, found))
            {
                continue;
            }

            if (page.Count == query.Limit)
            {
                next = query.CursorAfter(page[^1].Name);
                break;
            }

            page.Add(server);
        }

        return Results.Bytes(RegistryJson.List(page, next), Json);
    }

    private static IResult Versions(HttpContext http, RegistryView view, Visibility seen, string[] segments)
    {
        if (!TryIncludeDeleted(http, out var withDeleted, out var error))
        {
            return error;
        }

        // Each entry has one version, the one its card names.
        return Find(view, seen, segments[1], withDeleted) is { } server ? Results.Bytes(RegistryJson.List([server], null), Json) : Error(404, "Server not found");
    }

    private static IResult Single(HttpContext http, RegistryView view, Visibility seen, string[] segments)
    {
        if (!TryIncludeDeleted(http, out var withDeleted, out var error))
        {
            return error;
        }

        if (Find(view, seen, segments[1], withDeleted) is not { } server)
        {
            return Error(404, "Server not found");
        }

        return segments[3] == "latest" || segments[3] == server.Version ? Results.Bytes(server.Json.ToArray(), Json) : Error(404, "Server version not found");
    }

    /// <summary>A server the caller may not see is answered as one that does not exist.</summary>
    private static RegistryServer? Find(RegistryView view, Visibility seen, string name, bool withDeleted) =>
        view.Current.Find(name) is { } s && Sees(seen, s) && (withDeleted || s.Status != RegistryStatus.Deleted) ? s : null;

    private static bool Sees(Visibility seen, RegistryServer server) => seen.Namespaces is null || seen.Namespaces.Contains(server.Namespace);

    private static bool TryIncludeDeleted(HttpContext http, out bool withDeleted, out IResult error)
    {
        error = Results.Empty;
        withDeleted = false;
        if (Query(http, "include_deleted") is { } text && !bool.TryParse(text, out withDeleted))
        {
            error = Error(400, "include_deleted must be true or false");
            return false;
        }

        return true;
    }

    public static IResult Error(int status, string message)
    {
        var body = new AgentTypeObjects.JsonBytes(RegistryJson.Error(message), status);
        return status == StatusCodes.Status401Unauthorized ? new Unauthorized(body) : body;
    }

    private static string? Query(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.FirstOrDefault()) ? values.FirstOrDefault() : null;
}
