using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>What one reader may see: every namespace (null), or these.</summary>
internal sealed record Visibility(IReadOnlySet<string>? Namespaces)
{
    public static Visibility All { get; } = new((IReadOnlySet<string>?)null);

    public bool IsClusterWide => Namespaces is null;

    public bool IsNothing => Namespaces is { Count: 0 };

    public bool Sees(StoredEntry item, string storeNamespace) => Namespaces is null || Namespaces.Contains(CatalogFilter.ServedNamespace(item, storeNamespace));

    /// <summary>The filter narrowed to what this reader sees: lists, watches and their ADDED/DELETED classification.</summary>
    public CatalogFilter Narrow(CatalogFilter filter, string storeNamespace) =>
        Namespaces is null ? filter : filter with { Requirements = [.. filter.Requirements, e => Sees(e, storeNamespace)] };
}

/// <summary>
/// The one visibility rule of every reader API (HTTP/SSE, the AgentType API, and any view to come): an entry
/// is seen by whoever may <c>list agenttypes.agentlens.io</c> in the entry's namespace (the namespace of its
/// Service; the store namespace for push and static entries), asked by SubjectAccessReview through
/// <see cref="AccessReviews"/>. A cluster-wide allow sees everything; otherwise each namespace is asked.
/// Reading the store's ConfigMaps grants nothing here: that is Kubernetes RBAC on the store, apart.
/// </summary>
internal sealed class CatalogVisibility(AccessReviews reviews, StoreNamespace store, IReadOnlyList<string> sourceNamespaces)
{
    // Per-namespace reviews of one request run a few at a time, and are remembered like any other decision.
    private const int ReviewsAtOnce = 8;

    public string StoreNamespace => store.Name;

    /// <summary>The permission, as a SubjectAccessReview asks it; null namespace: the cluster scope.</summary>
    public static ResourceAccess Rule(string verb, string? @namespace, string? name = null) =>
        new(AgentTypeObjects.Group, AgentTypeObjects.Resource, verb, @namespace, name, AgentTypeObjects.Version);

    /// <summary>One request of the AgentType API, at the scope of its path, with its Kubernetes verb.</summary>
    public Task<(bool Allowed, string Reason)> AuthorizeAsync(UserInfo user, ResourceAccess access, CancellationToken cancellationToken) =>
        reviews.AuthorizeAsync(user, access, cancellationToken);

    /// <summary>
    /// The namespaces <paramref name="user"/> sees among those the catalog can hold entries in (or only
    /// <paramref name="requested"/>): all of them when it may list at the cluster scope.
    /// </summary>
    public async Task<Visibility> ResolveAsync(UserInfo user, ICatalogView cache, string? requested, CancellationToken cancellationToken)
    {
        if (requested is null && (await reviews.AuthorizeAsync(user, Rule("list", null), cancellationToken)).Allowed)
        {
            return Visibility.All;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Candidates(cache, requested), new ParallelOptions { MaxDegreeOfParallelism = ReviewsAtOnce, CancellationToken = cancellationToken }, async (ns, ct) =>
        {
            if ((await reviews.AuthorizeAsync(user, Rule("list", ns), ct)).Allowed)
            {
                lock (seen)
                {
                    seen.Add(ns);
                }
            }
        });
        return new Visibility(seen);
    }

    /// <summary>
    /// Where entries can be: the namespaces of today's entries, the configured source namespaces and the
    /// store. A namespace whose first entry appears during a namespaced reader's watch is seen on its next watch.
    /// </summary>
    private IEnumerable<string> Candidates(ICatalogView cache, string? requested) => requested is not null
        ? [requested]
        : cache.Snapshot().Items.Select(i => CatalogFilter.ServedNamespace(i, store.Name))
            .Concat(sourceNamespaces).Append(store.Name).Distinct(StringComparer.Ordinal);
}
