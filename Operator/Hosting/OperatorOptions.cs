using System.ComponentModel.DataAnnotations;
using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Registry;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Catalog.Federation;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>Every operator option; bound from the "AgentLens" section, environment and flags.</summary>
internal sealed class OperatorOptions
{
    public const string Section = "AgentLens";

    /// <summary>Time between the starts of two discovery cycles.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "pollInterval must be between 1s and 24h")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Namespaces whose Services are discovered; empty means all namespaces.</summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary>Optional label selector narrowing the Services listed.</summary>
    public string? LabelSelector { get; set; }

    [RegularExpression(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", ErrorMessage = "clusterDomain must be a DNS name")]
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>Path of the static sources file; a missing file means no static agents.</summary>
    public string StaticSourcesPath { get; set; } = "/etc/agentlens/sources.yaml";

    /// <summary>Consecutive failed cycles after which a Degraded entry goes Offline.</summary>
    [Range(1, 1000, ErrorMessage = "offlineAfterFailures must be between 1 and 1000")]
    public int OfflineAfterFailures { get; set; } = 3;

    /// <summary>How long an Offline entry is kept before its ConfigMap is deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00", ErrorMessage = "retention must be between 0 and 365 days")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Also react to Service changes between cycles (the timer stays the backbone).</summary>
    public bool Events { get; set; }

    /// <summary>With events: at most one targeted reconcile per interval; changes within it are handled together.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "minEventSyncInterval must be between 0 and 10m")]
    public TimeSpan MinEventSyncInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>With events: more changed Services than this at once start the next full cycle instead.</summary>
    [Range(1, 100_000, ErrorMessage = "eventBurstThreshold must be between 1 and 100000")]
    public int EventBurstThreshold { get; set; } = 100;

    /// <summary>
    /// With events: the least time from one full cycle's start to an early one that events (a burst, a change
    /// that cannot be judged alone, the static file) bring forward, so a tenant cannot force full cycles back to
    /// back. Unset: a quarter of <see cref="PollInterval"/>, at least 15s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "minEarlyCycleInterval must be between 1s and 24h")]
    public TimeSpan? MinEarlyCycleInterval { get; set; }

    /// <summary>The spacing in force: <see cref="MinEarlyCycleInterval"/>, or max(pollInterval/4, 15s).</summary>
    public TimeSpan EarlyCycleSpacing => MinEarlyCycleInterval ?? TimeSpan.FromTicks(Math.Max(PollInterval.Ticks / 4, TimeSpan.FromSeconds(15).Ticks));

    /// <summary>Run one cycle and exit: 0 when every source succeeded, 1 otherwise.</summary>
    public bool Once { get; set; }

    /// <summary>
    /// This cluster's name, when the About API's ClusterProperty <c>cluster.clusterset.k8s.io</c> does not give
    /// one (that wins); entries carry it. A DNS label: it becomes a label value and part of a hub's entry names.
    /// </summary>
    [RegularExpression("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ErrorMessage = "clusterName must be a DNS label of at most 63 characters")]
    public string? ClusterName { get; set; }

    /// <summary>Path of a kubeconfig; empty means in-cluster config or the default kubeconfig.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Where /metrics is served (kubebuilder's flag); "0" turns it off.</summary>
    [RegularExpression(ListenAddress.Pattern, ErrorMessage = "metricsBindAddress must be [host]:port or 0")]
    public string MetricsBindAddress { get; set; } = ":8080";

    /// <summary>Where /healthz and /readyz are served (kubebuilder's flag).</summary>
    [RegularExpression(ListenAddress.RequiredPattern, ErrorMessage = "healthProbeBindAddress must be [host]:port")]
    public string HealthProbeBindAddress { get; set; } = ":8081";

    /// <summary>Log format: "text" for people, "json" for log pipelines.</summary>
    [RegularExpression("^(text|json)$", ErrorMessage = "logFormat must be text or json")]
    public string LogFormat { get; set; } = "text";

    [ValidateObjectMembers]
    public CrawlOptions Crawl { get; set; } = new();

    [ValidateObjectMembers]
    public McpOptions Mcp { get; set; } = new();

    [ValidateObjectMembers]
    public ApiOptions Api { get; set; } = new();

    [ValidateObjectMembers]
    public AggregatedApiOptions ApiServer { get; set; } = new();

    [ValidateObjectMembers]
    public TrustOptions Trust { get; set; } = new();

    [ValidateObjectMembers]
    public StoreOptions Store { get; set; } = new();

    [ValidateObjectMembers]
    public LeaderElectionOptions LeaderElection { get; set; } = new();

    [ValidateObjectMembers]
    public RegistryOptions Registry { get; set; } = new();

    [ValidateObjectMembers]
    public FederationOptions Federation { get; set; } = new();
}

[OptionsValidator]
internal sealed partial class OperatorOptionsValidator : IValidateOptions<OperatorOptions>;
