namespace AgentLens.Operator.Api.Ui;

/// <summary>
/// The catalog page for people, at <c>/ui/</c> on the catalog API's listener: plain HTML, CSS and JS embedded
/// in the assembly (<see cref="UiAssets"/>), bound to what already exists — <c>/api/v1/agents</c>, its SSE
/// watch, <c>/api/v1/search</c> and <c>/api/v1/status</c> (<see cref="OperatorStatusApi"/>) — with the bearer
/// token the person signs in with. The files are public (they hold no data); every call the page makes
/// carries the token, so a person sees exactly what the API shows that token.
/// </summary>
internal static class CatalogUi
{
    public const string Root = "/ui/";

    /// <summary>Nothing but this origin: no CDN, no inline script or style, no framing, no form posting elsewhere.</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void AddCatalogUi(this WebApplicationBuilder builder) => builder.Services.AddSingleton(_ => UiAssets.Load());

    public static void MapCatalogUi(this WebApplication app)
    {
        app.MapOperatorStatus();
        if (!app.Services.GetRequiredService<ApiOptions>().Ui)
        {
            return;
        }

        // Loaded now, not at the first visit: a build without the page fails at start-up.
        var assets = app.Services.GetRequiredService<UiAssets>();
        app.MapGet("/ui/{**path}", (HttpContext http, string? path) => Serve(http, assets, path ?? string.Empty));
    }

    private static IResult Serve(HttpContext http, UiAssets assets, string path)
    {
        if (!Listeners.On(http, CatalogApi.Listener))
        {
            return Results.NotFound();
        }

        // Routing matches /ui as /ui/; the page's relative links need the slash.
        if (path.Length == 0 && !http.Request.Path.Value!.EndsWith('/'))
        {
            return Results.Redirect(Root);
        }

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (assets.Get(path) is not { } asset)
        {
            return Results.Text("no such file of the catalog page", "text/plain; charset=utf-8", statusCode: 404);
        }

        // Revalidated on every load, so an upgraded operator serves its own page at once.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        return http.Request.Headers.IfNoneMatch == asset.ETag
            ? Results.StatusCode(304)
            : Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
