namespace AgentLens.Operator.Catalog;

/// <summary>The catalog's own services, registered in one call; the host provides their options.</summary>
internal static class CatalogServices
{
    /// <summary>
    /// The store, the Event recorder, and the in-memory copy of the catalog with the Lease view beside it.
    /// The copy runs whatever the APIs do: the reconciler's consistent read (<see cref="ICatalogReader"/>)
    /// comes from it, so turning an API off never changes how the catalog is read. Needs
    /// <see cref="StoreNamespace"/>, <see cref="StoreOptions"/> and <see cref="CacheOptions"/>.
    /// </summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<ICatalogStore>(sp => new ConfigMapCatalogStore(
            sp.GetRequiredService<IKubernetes>(),
            sp.GetRequiredService<StoreNamespace>().Name,
            sp.GetRequiredService<StoreOptions>().StoreRawCard));
        services.AddSingleton<IEventRecorder, KubernetesEventRecorder>();
        services.AddSingleton<AgentLeases>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentLeases>());
        services.AddSingleton(sp =>
        {
            var cache = ActivatorUtilities.CreateInstance<CatalogCache>(sp);
            sp.GetRequiredService<Metrics>().ObservePushLiveness(cache.PushLiveness);
            return cache;
        });
        services.AddHostedService(sp => sp.GetRequiredService<CatalogCache>());
        services.AddSingleton<ICatalogReader>(sp => sp.GetRequiredService<CatalogCache>());
        return services;
    }
}
