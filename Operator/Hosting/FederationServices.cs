using AgentLens.Operator.Catalog;
using AgentLens.Operator.Catalog.Federation;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Hosting;

/// <summary>The hub (<c>--federation</c>): its inventories and the member list/watches, feeding the catalog feed every reader API reads.</summary>
internal static class FederationServices
{
    public static void AddFederation(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<SecretInventory>();
        services.AddSingleton(sp => new ClusterProfileInventory(AccessProviders.Load(sp.GetRequiredService<FederationOptions>().AccessProvidersPath),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Metrics>(), sp.GetRequiredService<ILogger<ClusterProfileInventory>>()));
        services.AddSingleton(sp => new FederationHub(
            sp.GetRequiredService<IKubernetes>(),
            sp.GetRequiredService<StoreNamespace>(),
            sp.GetRequiredService<FederationOptions>(),
            sp.GetRequiredService<ClusterIdentity>(),
            sp.GetRequiredService<CatalogFeed>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Metrics>(),
            sp.GetRequiredService<CacheOptions>().Retention,
            sp.GetRequiredService<ILoggerFactory>(),
            Inventories(sp)));
        services.AddHostedService(sp => sp.GetRequiredService<FederationHub>());
    }

    private static List<IMemberInventory> Inventories(IServiceProvider sp) => sp.GetRequiredService<FederationOptions>().ClusterProfiles
        ? [sp.GetRequiredService<SecretInventory>(), sp.GetRequiredService<ClusterProfileInventory>()]
        : [sp.GetRequiredService<SecretInventory>()];
}
