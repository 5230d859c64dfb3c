using System.Net;
using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Mcp;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using Moq;

namespace AgentLens.Operator.Tests.Api.Mcp;

/// <summary>
/// The catalog's MCP server in process, on a loopback port tagged as the catalog API's listener, over a fixed
/// catalog. Tokens stand for readers: each maps to what it may see (the real TokenReview and access reviews are
/// the end-to-end tests' part). The search is a mock; without one, the operator has no index.
/// </summary>
internal sealed class McpHost : IAsyncDisposable
{
    public const string Store = "agentlens-system";
    private readonly WebApplication app;

    private McpHost(WebApplication app, int port)
    {
        this.app = app;
        Url = $"http://127.0.0.1:{port}{CatalogMcp.Path}";
    }

    public string Url { get; }

    /// <param name="tokens">Null: <c>--api-auth none</c> (the real <see cref="OpenApiAccess"/>).</param>
    public static async Task<McpHost> StartAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyDictionary<string, Visibility>? tokens, IAgentSearch? search)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => Listeners.Tag(listen, CatalogApi.Listener)));
        var cache = new Mock<ICatalogView>();
        cache.Setup(c => c.WaitSyncedAsync(It.IsAny<CancellationToken>())).ReturnsAsync(true);
        cache.Setup(c => c.Snapshot()).Returns((1L, entries));
        cache.Setup(c => c.Get(It.IsAny<string>())).Returns((string name) => entries.FirstOrDefault(e => e.Name == name));
        var auth = new Mock<IApiAuthenticator>();
        auth.Setup(a => a.CheckAsync(It.IsAny<HttpContext>(), It.IsAny<CancellationToken>())).ReturnsAsync((HttpContext http, CancellationToken _) =>
        {
            var header = http.Request.Headers.Authorization.FirstOrDefault();
            Visibility? visibility = null;
            if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal) || tokens is null || !tokens.TryGetValue(header[7..], out visibility))
            {
                return CatalogApi.Error(401, "a Kubernetes bearer token is required in the Authorization header");
            }

            http.Items[CatalogReader.Key] = new CatalogReader(null, visibility);
            return null;
        });
        builder.Services.AddSingleton(cache.Object);
        builder.Services.AddSingleton(tokens is null ? new OpenApiAccess() : auth.Object);
        builder.Services.AddSingleton(new StoreNamespace(Store));
        if (search is not null)
        {
            builder.Services.AddSingleton(search);
        }

        builder.AddCatalogMcp();
        var app = builder.Build();
        app.MapCatalogMcp();
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        return new McpHost(app, port);
    }

    /// <summary>An SDK client; <paramref name="protocolVersion"/> null: the SDK's latest (2026-07-28, by server/discover).</summary>
    public Task<McpClient> ConnectAsync(string? token, string? protocolVersion = null) => McpClients.ConnectAsync(Url, token, protocolVersion);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
