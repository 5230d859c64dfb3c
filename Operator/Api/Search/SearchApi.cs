using System.Diagnostics;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// Search as a feature: the index, the loop that feeds it, and <c>GET /api/v1/search</c> on the catalog
/// API's listener, with that API's authentication and visibility. The MCP tools bind to the same
/// <see cref="IAgentSearch"/>.
/// </summary>
internal static class SearchApi
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    public static void AddAgentSearch(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var index = new AgentSearchIndex(sp.GetRequiredService<StoreNamespace>());
            sp.GetRequiredService<Metrics>().ObserveSearchDocuments(() => index.Count);
            return index;
        });
        builder.Services.AddSingleton<IAgentSearch>(sp => sp.GetRequiredService<AgentSearchIndex>());
        builder.Services.AddHostedService<SearchIndexFeed>();
    }

    public static void MapAgentSearch(this WebApplication app) => app.MapGet("/api/v1/search", SearchAsync).AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (!Listeners.On(http, CatalogApi.Listener))
        {
            return Results.NotFound();
        }

        var denied = await http.RequestServices.GetRequiredService<IApiAuthenticator>().CheckAsync(http, http.RequestAborted);
        return denied ?? await next(context);
    });

    private static async Task<IResult> SearchAsync(HttpContext http, ICatalogView cache, IAgentSearch search, StoreNamespace store, Metrics metrics)
    {
        if (!await cache.WaitSyncedAsync(http.RequestAborted))
        {
            return CatalogApi.Error(503, ICatalogView.NotSyncedMessage);
        }

        var started = Stopwatch.GetTimestamp();
        var (result, answer) = Answer(http, search, store);
        metrics.Searched("http", result, Stopwatch.GetElapsedTime(started));
        return answer;
    }

    private static (string Result, IResult Answer) Answer(HttpContext http, IAgentSearch search, StoreNamespace store)
    {
        if (!TryLimit(Query(http, "limit"), out var limit, out var error)
            || !CatalogFilter.TryParse(q => q is "protocol" or "namespace" or "labelSelector" or "lifecycle" ? Query(http, q) : null, out var filter, out error))
        {
            return ("bad_request", CatalogApi.Error(400, error));
        }

        filter = Reader(http).Visibility.Narrow(filter, store.Name);
        var text = Query(http, "q");
        SearchResults results;
        try
        {
            results = search.Search(text ?? string.Empty, filter, limit);
        }
        catch (SearchQueryException e)
        {
            return ("bad_request", CatalogApi.Error(400, e.Message));
        }

        return ("ok", Results.Bytes(Render(results, store.Name), "application/json"));
    }

    public static bool TryLimit(string? text, out int limit, [NotNullWhen(false)] out string? error)
    {
        limit = DefaultLimit;
        error = null;
        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit)
        {
            error = $"limit: must be a whole number from 1 to {MaxLimit}";
            return false;
        }

        return true;
    }

    public static byte[] Render(SearchResults results, string storeNamespace) => CatalogStream.JsonBytes(w =>
    {
        w.WriteString("query", results.Query);
        w.WriteNumber("total", results.Total);
        w.WriteStartArray("items");
        foreach (var hit in results.Items)
        {
            var entry = hit.Entry.Entry;
            w.WriteStartObject();
            w.WriteString("name", hit.Entry.Name);
            w.WriteString("namespace", CatalogFilter.ServedNamespace(hit.Entry, storeNamespace));
            w.WriteString("displayName", entry?.Status.DisplayName);
            w.WriteString("protocol", entry?.Spec.Protocol.ToWire());
            w.WriteString("lifecycle", entry?.Status.Lifecycle.ToString());
            w.WriteString("endpoint", hit.Entry.Endpoint ?? entry?.Spec.Endpoint);
            w.WriteNumber("score", Math.Round(hit.Score, 4));
            // Absent: the agent declares no security and answered without credentials.
            if (AccessSummary.Of(entry) is { } access)
            {
                w.WritePropertyName("authorization");
                access.WriteTo(w);
            }

            w.WriteStartArray("matches");
            foreach (var match in hit.Matches)
            {
                w.WriteStartObject();
                w.WriteString("kind", match.Kind);
                w.WriteString("name", match.Name);
                w.WriteString("snippet", match.Snippet);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static CatalogReader Reader(HttpContext http) => http.Items[CatalogReader.Key] as CatalogReader ?? CatalogReader.Open;

    private static string? Query(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.FirstOrDefault()) ? values.FirstOrDefault() : null;
}
