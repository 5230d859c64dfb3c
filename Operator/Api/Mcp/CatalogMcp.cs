using Microsoft.AspNetCore.Http.Metadata;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>
/// The catalog as an MCP server at <c>/mcp</c> on the catalog API listener, with the official SDK: Streamable HTTP,
/// stateless (every request stands alone, so any replica answers it), every protocol revision the SDK speaks —
/// the initialize handshake up to 2025-11-25 and 2026-07-28's <c>server/discover</c>. A caller is authenticated
/// like any reader of the HTTP API (<see cref="IApiAuthenticator"/>) and sees what it would see there.
/// </summary>
internal static class CatalogMcp
{
    public const string Path = "/mcp";

    /// <summary>RFC 9728 metadata of the protected resource; the path-suffixed form is the one a 401 points at.</summary>
    public const string ResourceMetadataPath = "/.well-known/oauth-protected-resource";

    public const string Instructions =
        "This server is the catalog of the AI agents (A2A agents and MCP servers) running in a Kubernetes cluster. "
        + "Use search_agents to find an agent by what it does and learn how to call it (its A2A interfaces or MCP URL, the authentication it declares, and reach.authorization: whether it needs a token and which authorization server grants it); "
        + "use find_tools to find a single MCP tool or A2A skill and the agent that offers it; "
        + "use get_agent with a namespace and name from either to read the whole entry. "
        + "You see only the agents your Kubernetes identity may list (agenttypes.agentlens.io). The catalog describes agents; it does not call them.";

    public static void AddCatalogMcp(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation
                {
                    Name = "agentlens-catalog",
                    Title = "AgentLens agent catalog",
                    Version = typeof(CatalogMcp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
                };
                options.ServerInstructions = Instructions;
                // Left unset on purpose: the SDK then speaks every revision it knows.
                options.ProtocolVersion = null;
            })
            .WithHttpTransport(transport => transport.SessionMode = HttpServerSessionMode.Stateless)
            .WithTools<CatalogTools>(McpToolsJson.Options);
    }

    public static void MapCatalogMcp(this WebApplication app)
    {
        // The SDK's endpoints are plain request delegates, which endpoint filters do not wrap: the listener and
        // the caller are checked by middleware on the path instead, before the endpoint runs.
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (http, next) =>
        {
            if (!Listeners.On(http, CatalogApi.Listener))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var denied = await http.RequestServices.GetRequiredService<IApiAuthenticator>().CheckAsync(http, http.RequestAborted);
            if (denied is not null)
            {
                if (denied is IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized })
                {
                    http.Response.Headers.WWWAuthenticate = Challenge(http);
                }

                await denied.ExecuteAsync(http);
                return;
            }

            await next(http);
        }));
        app.MapMcp(Path);

        var metadata = app.MapGroup(ResourceMetadataPath).AddEndpointFilter(async (context, next) =>
            Listeners.On(context.HttpContext, CatalogApi.Listener) ? await next(context) : Results.NotFound());
        metadata.MapGet("/", ResourceMetadata);
        metadata.MapGet(Path, ResourceMetadata);
    }

    /// <summary>
    /// The bearer challenge of the MCP authorization spec: the token is a Kubernetes one (TokenReview), and
    /// <c>resource_metadata</c> names where this resource describes itself.
    /// </summary>
    private static string Challenge(HttpContext http) =>
        Unauthorized.Challenge(http, $"resource_metadata=\"{Origin(http)}{ResourceMetadataPath}{Path}\"");

    /// <summary>A minimal RFC 9728 document: which resource, and that the token goes in the Authorization header.</summary>
    private static IResult ResourceMetadata(HttpContext http) => Results.Bytes(CatalogStream.JsonBytes(w =>
    {
        w.WriteString("resource", Origin(http) + Path);
        w.WriteString("resource_name", "AgentLens agent catalog");
        w.WriteStartArray("bearer_methods_supported");
        w.WriteStringValue("header");
        w.WriteEndArray();
    }), "application/json");

    private static string Origin(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";
}
