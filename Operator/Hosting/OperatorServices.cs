using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Ui;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;

namespace AgentLens.Operator.Hosting;

/// <summary>The operator's services, grouped along the data path.</summary>
internal static class OperatorServices
{
    /// <summary>Sources, the crawler and the card parsers.</summary>
    public static void AddDiscovery(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<Metrics>();
        services.AddSingleton<ICardParser, A2aCardParser>();
        services.AddSingleton<ICardParser, McpCardParser>();
        services.AddHttpClient<HttpFetcher>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => HttpFetcher.CreateHandler(sp.GetRequiredService<CrawlOptions>()))
            // The handler's own PooledConnectionLifetime refreshes DNS; the factory need not rotate it.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // One log line per card fetch would drown the cycle summary at thousands of agents.
            .RemoveAllLoggers();
        // The MCP SDK reads its own responses: give it the crawler's handler, capped while reading.
        services.AddSingleton(sp => new McpIntrospector(HttpFetcher.CreateHandler(sp.GetRequiredService<CrawlOptions>()), sp.GetRequiredService<CrawlOptions>(), sp.GetRequiredService<Metrics>()));
        // --mcp-subscribe: long-lived streams on a handler of their own, so they never share the crawl's connections.
        services.AddSingleton(sp => new McpSubscriptions(HttpFetcher.CreateHandler(sp.GetRequiredService<CrawlOptions>()), sp.GetRequiredService<CrawlOptions>(), sp.GetRequiredService<McpOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Metrics>(), sp.GetRequiredService<ILogger<McpSubscriptions>>()));
        services.AddSingleton<TrustRoots>();
        services.AddSingleton<ISignatureVerifier>(sp => new SignatureVerifier(sp.GetRequiredService<TrustRoots>(), sp.GetRequiredService<TrustOptions>(),
            sp.GetRequiredService<HttpFetcher>(), sp.GetRequiredService<CrawlOptions>(), sp.GetRequiredService<Metrics>()));
        // Asked only for agents whose source named a Secret, which it does only with --crawl-credentials-secrets.
        services.AddSingleton<ICredentialReader, KubernetesSecretReader>();
        services.AddSingleton<ICrawler, Crawler>();
        services.AddSingleton<IServiceLister, KubernetesServiceLister>();
        services.AddSingleton<IAgentSource, KubernetesServiceSource>();
        services.AddSingleton<IAgentSource, StaticFileSource>();
    }

    /// <summary>The reconciler and the loops that run it, taking turns through one shared <see cref="CycleGate"/>.</summary>
    public static void AddReconciliation(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<FreshnessSchedule>();
        services.AddSingleton<IReconciler, Reconciler>();
        services.AddSingleton<OperatorHealth>();
        services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<OperatorHealth>());
        // One gate for both writers: "one writer at a time" holds only because they share it.
        services.AddSingleton<CycleGate>();
        services.AddSingleton<ServiceWatch>();
        services.AddHostedService<EventTrigger>();
        services.AddHostedService<DiscoveryLoop>();
        // MCP lists re-introspected when their TTL runs out or their server says they changed.
        services.AddHostedService<FreshnessLoop>();
    }

    /// <summary>The reader APIs read the catalog feed through the view they declare (<see cref="ICatalogView"/>).</summary>
    public static void ConnectReaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ICatalogView, CatalogView>();
        builder.Services.AddSingleton<IOperatorStatusView, OperatorStatusView>();
    }
}
