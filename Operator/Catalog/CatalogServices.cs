namespace AgentLens.Operator.Catalog;

/// <summary>The catalog's own services, registered in one call; the host provides their options.</summary>
internal static class CatalogServices
{
    /// <summary>
    /// The store, the Event recorder, and the in-memory copy of the catalog: the mirror (with the Lease view beside it) and the feed readers subscribe to.
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
        services.AddSingleton(sp => new AgentLeases(
            new LeaseListWatch(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<StoreNamespace>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CacheOptions>(), sp.GetRequiredService<Metrics>(), sp.GetRequiredService<ILogger<AgentLeases>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AgentLeases>());
        services.AddSingleton<CatalogFeed>();
        services.AddSingleton(sp => new CatalogConfigMaps(
            new CatalogListWatch(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<StoreNamespace>()),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Metrics>(), sp.GetRequiredService<ILogger<CatalogConfigMaps>>()));
        services.AddSingleton(sp =>
        {
            var mirror = ActivatorUtilities.CreateInstance<CatalogMirror>(sp);
            sp.GetRequiredService<Metrics>().ObservePushLiveness(mirror.PushLiveness);
            return mirror;
        });
        services.AddHostedService(sp => sp.GetRequiredService<CatalogMirror>());
        services.AddSingleton<ICatalogReader>(sp => sp.GetRequiredService<CatalogMirror>());
        services.AddSingleton<OperatorStatusReader>();
        return services;
    }
}
