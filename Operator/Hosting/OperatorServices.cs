using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>Where the catalog's namespace comes from, resolved once at start-up.</summary>
internal static class StoreNamespaceResolver
{
    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>The option, else the pod's namespace, else the kubeconfig context's, else "default" — as kubectl would.</summary>
    public static StoreNamespace Resolve(OperatorOptions options, KubernetesClientConfiguration config)
    {
        if (!string.IsNullOrWhiteSpace(options.Store.Namespace))
        {
            return new(options.Store.Namespace);
        }

        if (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod)
        {
            return new(pod);
        }

        if (File.Exists(ServiceAccountNamespaceFile))
        {
            return new(File.ReadAllText(ServiceAccountNamespaceFile).Trim());
        }

        return new(string.IsNullOrWhiteSpace(config.Namespace) ? "default" : config.Namespace);
    }
}

/// <summary>The operator's services, grouped along the data path.</summary>
internal static class OperatorServices
{
    /// <summary>Sources, the crawler and the card parsers.</summary>
    public static void AddDiscovery(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Crawl);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Sources());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Reconcile());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Cache());
        services.AddMetrics();
        services.AddSingleton<Metrics>();
        services.AddSingleton<ICardParser, A2aCardParser>();
        services.AddSingleton<ICardParser, McpCardParser>();
        services.AddHttpClient<HttpFetcher>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => HttpFetcher.CreateHandler(sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Crawl))
            // The handler's own PooledConnectionLifetime refreshes DNS; the factory need not rotate it.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // One log line per card fetch would drown the cycle summary at thousands of agents.
            .RemoveAllLoggers();
        // The MCP SDK reads its own responses: give it the crawler's handler, capped while reading.
        services.AddSingleton(sp => new McpIntrospector(HttpFetcher.CreateHandler(sp.GetRequiredService<CrawlOptions>()), sp.GetRequiredService<CrawlOptions>(), sp.GetRequiredService<Metrics>()));
        services.AddSingleton(sp => new TrustRoots(sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Trust));
        services.AddSingleton<ISignatureVerifier>(sp => new SignatureVerifier(sp.GetRequiredService<TrustRoots>(), sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Trust,
            sp.GetRequiredService<HttpFetcher>(), sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Crawl, sp.GetRequiredService<Metrics>()));
        services.AddSingleton<ICrawler, Crawler>();
        services.AddSingleton<IServiceLister, KubernetesServiceLister>();
        services.AddSingleton<IAgentSource, KubernetesServiceSource>();
        services.AddSingleton<IAgentSource, StaticFileSource>();
    }

    /// <summary>The catalog store, the reconciler and the loop that runs it.</summary>
    public static void AddCatalog(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => StoreNamespaceResolver.Resolve(sp.GetRequiredService<IOptions<OperatorOptions>>().Value, sp.GetRequiredService<KubernetesClientConfiguration>()));
        services.AddSingleton<ICatalogStore>(sp => new ConfigMapCatalogStore(
            sp.GetRequiredService<IKubernetes>(),
            sp.GetRequiredService<StoreNamespace>().Name,
            sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Store.StoreRawCard));
        services.AddSingleton<IEventRecorder, KubernetesEventRecorder>();
        services.AddSingleton<IReconciler, Reconciler>();
        services.AddSingleton<OperatorHealth>();
        services.AddSingleton<CycleGate>();
        services.AddSingleton<ServiceWatch>();
        services.AddHostedService<EventTrigger>();
        services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<OperatorHealth>());
        services.AddHostedService<DiscoveryLoop>();
    }
}
