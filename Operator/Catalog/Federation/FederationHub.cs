using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// A hub (<c>--federation</c>): its members come from the inventory (member Secrets, ClusterProfiles), are
/// picked up and dropped as those appear and disappear, and each is followed by its own
/// <see cref="MemberCluster"/>. Member entries live only in this replica's memory, merged into the same
/// catalog feed as the hub's own, so every reader API sees both through one filter code; nothing is ever
/// written to a member or to the hub's store. Once a second, a tick turns each member's health into its
/// entries' <c>ClusterReachable</c> and removes the entries of members gone longer than the retention.
/// </summary>
internal sealed class FederationHub(
    IKubernetes hubClient,
    StoreNamespace store,
    FederationOptions options,
    ClusterIdentity identity,
    CatalogFeed feed,
    TimeProvider time,
    Metrics metrics,
    TimeSpan retention,
    ILoggerFactory loggers,
    IReadOnlyList<IMemberInventory> inventories) : BackgroundService
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private readonly ILogger logger = loggers.CreateLogger<FederationHub>();
    private readonly Lock gate = new();

    // Every inventory's members by where they were named ("secret ns/name"); the first for a cluster wins.
    private readonly SortedDictionary<string, MemberSpec> named = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberCluster> members = new(StringComparer.Ordinal);
    private readonly HashSet<string> refused = new(StringComparer.Ordinal);

    /// <summary>The mark on every entry this hub federates (label <c>agentlens.io/federated-by</c>): another hub never takes them.</summary>
    public string Mark => identity.Name ?? "hub";

    public string Namespace => string.IsNullOrEmpty(options.Namespace) ? store.Name : options.Namespace;

    /// <summary>The members followed now (removed ones within their retention included), by cluster.</summary>
    public IReadOnlyList<MemberCluster> Members
    {
        get
        {
            lock (gate)
            {
                return [.. members.Values];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        metrics.ObserveFederation(() => Members.Select(m => (m.Cluster, m.Reachable, m.RemovedAt is not null, m.Count)));
        Log.FederationStarted(logger, Namespace, Mark);
        var watches = inventories.Select(i => i.RunAsync(hubClient, Namespace, Changed, stoppingToken)).ToList();
        try
        {
            using var ticker = new PeriodicTimer(TickInterval, time);
            while (await ticker.WaitForNextTickAsync(stoppingToken))
            {
                Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await Task.WhenAll(watches);
        foreach (var member in Members)
        {
            await member.StopAsync();
        }
    }

    /// <summary>One tick: reachability into entries, and members gone longer than the retention forgotten.</summary>
    internal void Tick()
    {
        var now = time.GetUtcNow();
        foreach (var member in Members)
        {
            try
            {
                member.Tick(now);
                if (member.RemovedAt is { } removed && now - removed >= retention)
                {
                    lock (gate)
                    {
                        if (members.GetValueOrDefault(member.Cluster) == member)
                        {
                            members.Remove(member.Cluster);
                        }
                    }

                    member.Forget();
                    Log.MemberForgotten(logger, member.Cluster, Duration.Format(retention));
                }
            }
            catch (Exception e)
            {
                // One member's trouble never stops the others' ticks.
                Log.CatalogLoopFailed(logger, "federation", e.GetType().Name, TickInterval.TotalSeconds);
                metrics.CatalogLoopFailed("federation");
            }
        }
    }

    /// <summary>An inventory says what one of its objects names now (null: it is gone); the cluster it names is set right.</summary>
    internal void Changed(string key, MemberSpec? spec)
    {
        lock (gate)
        {
            var before = named.GetValueOrDefault(key)?.Cluster;
            if (spec is null)
            {
                named.Remove(key);
            }
            else
            {
                named[key] = spec;
            }

            foreach (var cluster in new[] { before, spec?.Cluster }.OfType<string>().Distinct(StringComparer.Ordinal))
            {
                ReconcileLocked(cluster);
            }
        }
    }

    private void ReconcileLocked(string cluster)
    {
        var desired = named.Values.FirstOrDefault(s => s.Cluster == cluster);
        var running = members.GetValueOrDefault(cluster);
        var now = time.GetUtcNow();
        if (desired is null || desired.Problem is not null || desired.Configuration is null)
        {
            if (desired?.Problem is { } problem && refused.Add($"{desired.From}:{problem}"))
            {
                Log.MemberRefused(logger, desired.From, problem);
                metrics.FederatedEntrySkipped("invalid_member");
            }

            if (running is { RemovedAt: null })
            {
                _ = running.StopAsync();
                running.MarkRemoved(now, desired is null ? "MemberRemoved" : "InvalidMember",
                    desired is null ? "the cluster left the hub's inventory; its entries leave after --retention" : "the cluster's inventory entry cannot be used; its entries leave after --retention");
                Log.MemberRemoved(logger, cluster, Duration.Format(retention));
            }

            return;
        }

        if (running is { RemovedAt: null } && running.ConfigHash == desired.ConfigHash)
        {
            return;
        }

        IKubernetes client;
        try
        {
            client = new Kubernetes(desired.Configuration(), new CappedResponseHandler(options.MaxBytes));
        }
        catch (Exception e)
        {
            Log.MemberRefused(logger, desired.From, $"no client can be built from its configuration ({e.GetType().Name})");
            return;
        }

        if (running is not null)
        {
            _ = running.StopAsync();
        }

        var member = new MemberCluster(cluster, Mark, desired.ConfigHash, feed, options, time, metrics, loggers.CreateLogger($"AgentLens.Operator.Federation.{cluster}"), running);
        members[cluster] = member;
        member.Start(client);
        Log.MemberStarted(logger, cluster, desired.From);
    }
}
