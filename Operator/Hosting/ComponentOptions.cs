using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// What each component is told, built from the validated operator options: an option that several
/// components read (namespaces, retention) is bound once and handed to each, so none reads another's section.
/// </summary>
internal static class ComponentOptions
{
    /// <summary>Each component's options as a singleton of its own type, from the one validated <see cref="OperatorOptions"/>.</summary>
    public static void AddComponentOptions(this IServiceCollection services)
    {
        services.AddSingleton(sp => Root(sp).Crawl);
        services.AddSingleton(sp => Root(sp).Mcp);
        services.AddSingleton(sp => Root(sp).Trust);
        services.AddSingleton(sp => Root(sp).Sources());
        services.AddSingleton(sp => Root(sp).Store);
        services.AddSingleton(sp => Root(sp).Cache());
        services.AddSingleton(sp => ClusterIdentityResolver.Resolve(sp.GetRequiredService<IKubernetes>(), Root(sp).ClusterName,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AgentLens.Operator.ClusterIdentity")));
        services.AddSingleton(sp => Root(sp).Reconcile() with { Cluster = sp.GetRequiredService<ClusterIdentity>().Name });
        services.AddSingleton(sp => Root(sp).Api);
        services.AddSingleton(sp => Root(sp).ApiServer);
        services.AddSingleton(sp => Root(sp).Registry);
        services.AddSingleton(sp => Root(sp).Federation);
        services.AddSingleton(sp => StoreNamespaceResolver.Resolve(Root(sp), sp.GetRequiredService<KubernetesClientConfiguration>()));
    }

    private static OperatorOptions Root(IServiceProvider services) => services.GetRequiredService<IOptions<OperatorOptions>>().Value;

    public static SourceOptions Sources(this OperatorOptions options) => new()
    {
        Namespaces = options.Namespaces,
        LabelSelector = options.LabelSelector,
        ClusterDomain = options.ClusterDomain,
        StaticSourcesPath = options.StaticSourcesPath,
        AllowCrossNamespaceExternalName = options.Crawl.AllowCrossNamespaceExternalName,
        CredentialsSecrets = options.Crawl.CredentialsSecrets,
        TokenDirectories = options.Crawl.EffectiveTokenDirectories,
    };

    public static ReconcileOptions Reconcile(this OperatorOptions options) => new()
    {
        OfflineAfterFailures = options.OfflineAfterFailures,
        Retention = options.Retention,
        PollInterval = options.PollInterval,
        McpMinRefresh = options.Mcp.MinRefresh,
    };

    /// <summary>
    /// The catalog cache runs whenever the operator keeps running: the reconciler's consistent read comes from
    /// it, so whether an API is on must not change how the catalog is read. A one-shot run keeps none.
    /// </summary>
    public static CacheOptions Cache(this OperatorOptions options) => new()
    {
        Enabled = !options.Once,
        WatcherBuffer = options.Api.WatcherBuffer,
        HistorySize = options.Api.HistorySize,
        HistoryAge = options.Api.HistoryAge,
        Retention = options.Retention,
    };
}
