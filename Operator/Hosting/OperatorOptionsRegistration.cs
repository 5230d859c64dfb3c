using AgentLens.Operator.Domain;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>The operator's flags, their help, and the binding and validation of every option at start-up.</summary>
internal static class OperatorOptionsRegistration
{
    private enum FlagKind
    {
        Value,
        Switch,
        List,
    }

    private sealed record Flag(string Key, FlagKind Kind, string Help);

    /// <summary>Flags in the kebab-case that platform engineers type, mapped onto the options.</summary>
    private static readonly (string Name, Flag Flag)[] FlagTable =
    [
        ("--poll-interval", new("AgentLens:PollInterval", FlagKind.Value, "time between the starts of two discovery cycles")),
        ("--namespaces", new("AgentLens:Namespaces", FlagKind.List, "comma-separated namespaces whose Services are discovered (empty: all)")),
        ("--label-selector", new("AgentLens:LabelSelector", FlagKind.Value, "label selector narrowing the Services listed")),
        ("--cluster-domain", new("AgentLens:ClusterDomain", FlagKind.Value, "the cluster's DNS domain")),
        ("--static-sources", new("AgentLens:StaticSourcesPath", FlagKind.Value, "path of the static sources file")),
        ("--offline-after-failures", new("AgentLens:OfflineAfterFailures", FlagKind.Value, "consecutive failed cycles before an entry is Offline")),
        ("--retention", new("AgentLens:Retention", FlagKind.Value, "how long an Offline entry is kept")),
        ("--events", new("AgentLens:Events", FlagKind.Switch, "also reconcile a changed Service at once (the timer stays the backbone)")),
        ("--min-event-sync-interval", new("AgentLens:MinEventSyncInterval", FlagKind.Value, "with --events: at most one targeted reconcile per interval")),
        ("--event-burst-threshold", new("AgentLens:EventBurstThreshold", FlagKind.Value, "with --events: more changed Services at once start the next full cycle instead")),
        ("--min-early-cycle-interval", new("AgentLens:MinEarlyCycleInterval", FlagKind.Value, "with --events: least time from a full cycle's start to an early one (default max(poll-interval/4, 15s))")),
        ("--once", new("AgentLens:Once", FlagKind.Switch, "run one cycle and exit (0: every source succeeded)")),
        ("--cluster-name", new("AgentLens:ClusterName", FlagKind.Value, "this cluster's name on its entries, unless the About API's ClusterProperty cluster.clusterset.k8s.io gives one")),
        ("--kubeconfig", new("AgentLens:Kubeconfig", FlagKind.Value, "kubeconfig path (empty: in-cluster, else the default kubeconfig)")),
        ("--crawl-timeout", new("AgentLens:Crawl:Timeout", FlagKind.Value, "per-request timeout of a card fetch")),
        ("--crawl-max-timeout", new("AgentLens:Crawl:MaxTimeout", FlagKind.Value, "cap on the timeout an annotation or static entry may ask for")),
        ("--crawl-agent-budget", new("AgentLens:Crawl:AgentBudget", FlagKind.Value, "one deadline for all of an agent's requests in a cycle")),
        ("--crawl-cycle-budget", new("AgentLens:Crawl:CycleBudget", FlagKind.Value, "the crawl phase of a cycle ends by then")),
        ("--crawl-max-bytes", new("AgentLens:Crawl:MaxBytes", FlagKind.Value, "largest response body read")),
        ("--crawl-concurrency", new("AgentLens:Crawl:Concurrency", FlagKind.Value, "agents crawled at once (0: one per 8 agents, 64 to 1024)")),
        ("--crawl-per-host-concurrency", new("AgentLens:Crawl:PerHostConcurrency", FlagKind.Value, "agents crawled at once per host")),
        ("--crawl-deny-cidrs", new("AgentLens:Crawl:DenyCidrs", FlagKind.List, "comma-separated CIDRs never connected to (on top of the built-in list)")),
        ("--crawl-allow-cidrs", new("AgentLens:Crawl:AllowCidrs", FlagKind.List, "comma-separated exceptions to the built-in deny list (e.g. 127.0.0.1/32)")),
        ("--crawl-allow-cross-namespace-external-name", new("AgentLens:Crawl:AllowCrossNamespaceExternalName", FlagKind.Switch, "let an ExternalName Service name another namespace's Service")),
        ("--crawl-credentials-secrets", new("AgentLens:Crawl:CredentialsSecrets", FlagKind.Switch, "read the Secret a Service names in agentlens.io/credentials-secret (its own namespace, key token) and introspect with it")),
        ("--crawl-token-directories", new("AgentLens:Crawl:TokenDirectories", FlagKind.List, "comma-separated directories bearerTokenFile may be read from")),
        ("--mcp-min-refresh", new("AgentLens:Mcp:MinRefresh", FlagKind.Value, "soonest an MCP entry is introspected again when its lists' ttlMs ran out (a TTL past --poll-interval waits for the cycle)")),
        ("--mcp-subscribe", new("AgentLens:Mcp:Subscribe", FlagKind.Switch, "hold subscriptions to MCP servers announcing list_changed; a notification re-introspects that entry")),
        ("--mcp-max-subscriptions", new("AgentLens:Mcp:MaxSubscriptions", FlagKind.Value, "with --mcp-subscribe: subscriptions held at once, at most")),
        ("--mcp-subscription-max-bytes", new("AgentLens:Mcp:SubscriptionMaxBytes", FlagKind.Value, "with --mcp-subscribe: bytes one subscription stream may carry before it is reopened after a backoff")),
        ("--store-namespace", new("AgentLens:Store:Namespace", FlagKind.Value, "namespace of the catalog ConfigMaps (empty: the pod's)")),
        ("--store-raw-card", new("AgentLens:Store:StoreRawCard", FlagKind.Switch, "also keep the raw card as card.json")),
        ("--leader-elect", new("AgentLens:LeaderElection:Enabled", FlagKind.Switch, "only the holder of the Lease runs cycles")),
        ("--lease-name", new("AgentLens:LeaderElection:LeaseName", FlagKind.Value, "name of the leader-election Lease")),
        ("--metrics-bind-address", new("AgentLens:MetricsBindAddress", FlagKind.Value, "where /metrics is served (0: off)")),
        ("--health-probe-bind-address", new("AgentLens:HealthProbeBindAddress", FlagKind.Value, "where /healthz and /readyz are served")),
        ("--log-format", new("AgentLens:LogFormat", FlagKind.Value, "text or json")),
        ("--api-bind-address", new("AgentLens:Api:BindAddress", FlagKind.Value, "where the catalog API is served (0: off)")),
        ("--api-auth", new("AgentLens:Api:Auth", FlagKind.Value, "kubernetes (TokenReview + SubjectAccessReview) or none")),
        ("--api-ui", new("AgentLens:Api:Ui", FlagKind.Switch, "serve the catalog page at /ui/ on the catalog API's listener (--api-ui=false: off)")),
        ("--api-max-watchers", new("AgentLens:Api:MaxWatchers", FlagKind.Value, "open watch streams at most")),
        ("--api-watchers-per-user", new("AgentLens:Api:WatchersPerUser", FlagKind.Value, "share of --api-max-watchers one user may hold (0.1)")),
        ("--api-watchers-per-namespace", new("AgentLens:Api:WatchersPerNamespace", FlagKind.Value, "share of --api-max-watchers one namespace's watchers may hold (0.25)")),
        ("--api-watcher-reserve", new("AgentLens:Api:WatcherReserve", FlagKind.Value, "share of --api-max-watchers kept for cluster-wide readers (0.1)")),
        ("--api-token-reviews-per-second", new("AgentLens:Api:TokenReviewsPerSecond", FlagKind.Value, "TokenReviews of new bearer tokens per second, both APIs")),
        ("--api-heartbeat", new("AgentLens:Api:Heartbeat", FlagKind.Value, "interval of watch heartbeats")),
        ("--api-history-size", new("AgentLens:Api:HistorySize", FlagKind.Value, "past events kept for resuming a watch")),
        ("--api-history-age", new("AgentLens:Api:HistoryAge", FlagKind.Value, "age of the oldest event kept for resuming a watch")),
        ("--trust-jwks", new("AgentLens:Trust:JwksPath", FlagKind.Value, "JWKS file of the keys trusted to sign A2A cards (re-read when it changes)")),
        ("--trust-jku-allow", new("AgentLens:Trust:JkuAllow", FlagKind.List, "comma-separated URLs a signature's jku may lie under (scheme, host, port; path on segment boundaries), each for every agent or as ns1+ns2=URL for those namespaces")),
        ("--trust-max-jku-per-cycle", new("AgentLens:Trust:MaxJkuPerCycle", FlagKind.Value, "distinct jku URLs fetched per cycle at most; a signature naming one more gets JkuLimitReached")),
        ("--apiserver-bind-address", new("AgentLens:ApiServer:BindAddress", FlagKind.Value, "TLS port of the AgentType API for the aggregation layer (0: off)")),
        ("--apiserver-cert-file", new("AgentLens:ApiServer:CertFile", FlagKind.Value, "PEM serving certificate of that port (empty: self-signed)")),
        ("--apiserver-key-file", new("AgentLens:ApiServer:KeyFile", FlagKind.Value, "PEM private key of the serving certificate")),
        ("--apiserver-max-handshakes", new("AgentLens:ApiServer:MaxConcurrentHandshakes", FlagKind.Value, "TLS handshakes at once on that port (0: half the cores, at least one)")),
        ("--registry-bind-address", new("AgentLens:Registry:BindAddress", FlagKind.Value, "where the MCP Registry API v0.1 and the AI Catalog are served (0: off)")),
        ("--registry-cert-file", new("AgentLens:Registry:CertFile", FlagKind.Value, "PEM serving certificate of the registry (empty: plain HTTP)")),
        ("--registry-key-file", new("AgentLens:Registry:KeyFile", FlagKind.Value, "PEM private key of the registry's certificate")),
        ("--registry-public-namespaces", new("AgentLens:Registry:PublicNamespaces", FlagKind.Value, "label selector of the namespaces anonymous registry callers see (empty: anonymous gets 401)")),
        ("--registry-public-namespaces-refresh", new("AgentLens:Registry:PublicNamespacesRefresh", FlagKind.Value, "how often the public namespaces are listed again")),
        ("--registry-public-base-urls", new("AgentLens:Registry:PublicBaseUrls", FlagKind.List, "comma-separated namespace=https://base: clients connect to base + the endpoint's path")),
        ("--registry-cluster-name", new("AgentLens:Registry:ClusterName", FlagKind.Value, "cluster part of derived server names io.agentlens.<name>/<namespace>.<entry>")),
        ("--registry-tombstones", new("AgentLens:Registry:Tombstones", FlagKind.Value, "removed entries remembered as deleted, at most")),
        ("--registry-tombstone-age", new("AgentLens:Registry:TombstoneAge", FlagKind.Value, "how long a removed entry is remembered as deleted")),
        ("--federation", new("AgentLens:Federation:Enabled", FlagKind.Switch, "be a hub: list and watch the member clusters' agenttypes and serve them with this cluster's")),
        ("--federation-namespace", new("AgentLens:Federation:Namespace", FlagKind.Value, "namespace of the member Secrets and ClusterProfiles (empty: the store namespace)")),
        ("--federation-grace-period", new("AgentLens:Federation:GracePeriod", FlagKind.Value, "how long a member may fail before its entries show ClusterReachable=False")),
        ("--federation-timeout", new("AgentLens:Federation:Timeout", FlagKind.Value, "one list of a member ends by then")),
        ("--federation-max-bytes", new("AgentLens:Federation:MaxBytes", FlagKind.Value, "largest response read from a member (a list, or one watch stream)")),
        ("--federation-max-entries", new("AgentLens:Federation:MaxEntries", FlagKind.Value, "entries taken from one member at most")),
        ("--federation-cluster-profiles", new("AgentLens:Federation:ClusterProfiles", FlagKind.Switch, "also take members from ClusterProfiles (multicluster.x-k8s.io/v1alpha2)")),
        ("--federation-access-providers", new("AgentLens:Federation:AccessProvidersPath", FlagKind.Value, "JSON file of the exec credential providers ClusterProfiles' access providers may name")),
        ("--apiserver-authorization-cache-ttl", new("AgentLens:ApiServer:AuthorizationCacheTtl", FlagKind.Value, "how long a SubjectAccessReview decision is reused")),
    ];

    private static readonly Dictionary<string, Flag> ByName = FlagTable.ToDictionary(f => f.Name, f => f.Flag, StringComparer.Ordinal);

    /// <summary>Value flags as the command-line configuration provider's switch mappings.</summary>
    public static readonly Dictionary<string, string> Flags = FlagTable.Where(f => f.Flag.Kind == FlagKind.Value).ToDictionary(f => f.Name, f => f.Flag.Key);

    public static void AddOperatorOptions(this WebApplicationBuilder builder, IReadOnlyList<string> args)
    {
        builder.Configuration.AddCommandLine([.. args], Flags);
        builder.Services.AddOptions<OperatorOptions>()
            .BindConfiguration(OperatorOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsCrossValidator>();
        builder.Services.AddComponentOptions();
    }

    /// <summary>
    /// Rewrites the flags into what the command-line configuration provider understands: switches may stand
    /// bare (<c>--once</c>, <c>--store-raw-card</c>) and lists are comma-separated (<c>--namespaces a,b</c>),
    /// neither of which it knows. An unknown flag is an error rather than silently ignored, so a typo never
    /// runs the operator with a default the user did not mean.
    /// </summary>
    public static bool TryNormalizeArgs(IReadOnlyList<string> args, out List<string> normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = [];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? arg : arg[..eq];
            string NextValue() => eq >= 0 ? arg[(eq + 1)..] : i + 1 < args.Count ? args[++i] : string.Empty;

            if (ByName.TryGetValue(name, out var flag))
            {
                switch (flag.Kind)
                {
                    case FlagKind.Switch:
                        // Bare means true; "--flag false" and "--flag=false" still work.
                        var value = eq >= 0 ? arg[(eq + 1)..]
                            : i + 1 < args.Count && bool.TryParse(args[i + 1], out _) ? args[++i]
                            : "true";
                        normalized.Add($"--{flag.Key}={value}");
                        break;
                    case FlagKind.List:
                        var items = NextValue().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        normalized.AddRange(items.Select((item, index) => $"--{flag.Key}:{index}={item}"));
                        break;
                    default:
                        normalized.Add($"{name}={NextValue()}");
                        break;
                }
            }
            else if (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal))
            {
                // A raw configuration key (--AgentLens:Crawl:Timeout=5s, --Logging:LogLevel:Default=Debug).
                normalized.Add($"{name}={NextValue()}");
            }
            else
            {
                error = $"unknown flag '{arg}'; see --help";
                return false;
            }
        }

        error = null;
        return true;
    }

    public static bool WantsHelp(IReadOnlyList<string> args) => args.Any(a => a is "--help" or "-h");

    /// <summary>Every flag with its default, read from the options' own initial values.</summary>
    public static string Help()
    {
        var defaults = new OperatorOptions();
        var text = new System.Text.StringBuilder("Usage: agentlens-operator [flags]\n\nFlags (each also settable as AgentLens__Section__Option in the environment):\n");
        foreach (var (name, flag) in FlagTable)
        {
            var value = DefaultOf(defaults, flag.Key);
            text.Append(CultureInfo.InvariantCulture, $"  {name,-46} {flag.Help} (default: {(value.Length == 0 ? "\"\"" : value)})\n");
        }

        return text.Append("  --help, -h                                     print this and exit\n").ToString();
    }

    private static string DefaultOf(OperatorOptions defaults, string key)
    {
        object? value = defaults;
        foreach (var part in key.Split(':').Skip(1))
        {
            value = value?.GetType().GetProperty(part)?.GetValue(value);
        }

        return value switch
        {
            null => string.Empty,
            TimeSpan t => Duration.Format(t),
            bool b => b ? "true" : "false",
            System.Collections.IEnumerable list and not string => string.Join(",", list.Cast<object>()),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }
}
