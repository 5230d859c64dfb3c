using System.ComponentModel.DataAnnotations;
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

    /// <summary>Run one cycle and exit: 0 when every source succeeded, 1 otherwise.</summary>
    public bool Once { get; set; }

    /// <summary>Path of a kubeconfig; empty means in-cluster config or the default kubeconfig.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Where /metrics is served (kubebuilder's flag); "0" turns it off.</summary>
    [RegularExpression(@"^(0|(\[[0-9a-fA-F:.]+\]|[0-9.]*|localhost)?:\d{1,5})$", ErrorMessage = "metricsBindAddress must be [host]:port or 0")]
    public string MetricsBindAddress { get; set; } = ":8080";

    /// <summary>Where /healthz and /readyz are served (kubebuilder's flag).</summary>
    [RegularExpression(@"^(\[[0-9a-fA-F:.]+\]|[0-9.]*|localhost)?:\d{1,5}$", ErrorMessage = "healthProbeBindAddress must be [host]:port")]
    public string HealthProbeBindAddress { get; set; } = ":8081";

    /// <summary>Log format: "text" for people, "json" for log pipelines.</summary>
    [RegularExpression("^(text|json)$", ErrorMessage = "logFormat must be text or json")]
    public string LogFormat { get; set; } = "text";

    [ValidateObjectMembers]
    public CrawlOptions Crawl { get; set; } = new();

    [ValidateObjectMembers]
    public ApiOptions Api { get; set; } = new();

    [ValidateObjectMembers]
    public StoreOptions Store { get; set; } = new();

    [ValidateObjectMembers]
    public LeaderElectionOptions LeaderElection { get; set; } = new();
}

internal sealed class CrawlOptions
{
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "crawl timeout must be between 10ms and 10m")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "crawl maxBytes must be between 1 KiB and 64 MiB")]
    public int MaxBytes { get; set; } = 256 * 1024;

    [Range(1, 4096, ErrorMessage = "crawl concurrency must be between 1 and 4096")]
    public int Concurrency { get; set; } = 64;

    [Range(1, 4096, ErrorMessage = "crawl perHostConcurrency must be between 1 and 4096")]
    public int PerHostConcurrency { get; set; } = 4;

    [Range(0, 10, ErrorMessage = "crawl maxRedirects must be between 0 and 10")]
    public int MaxRedirects { get; set; } = 3;
}

internal sealed class ApiOptions
{
    /// <summary>Where the catalog API is served; "0" turns it off.</summary>
    [RegularExpression(@"^(0|(\[[0-9a-fA-F:.]+\]|[0-9.]*|localhost)?:\d{1,5})$", ErrorMessage = "apiBindAddress must be [host]:port or 0")]
    public string BindAddress { get; set; } = ":8082";

    /// <summary>"kubernetes": bearer token checked by TokenReview, list configmaps checked by SubjectAccessReview; "none": open.</summary>
    [RegularExpression("^(none|kubernetes)$", ErrorMessage = "api auth must be none or kubernetes")]
    public string Auth { get; set; } = "kubernetes";

    [Range(1, 100_000, ErrorMessage = "api maxWatchers must be between 1 and 100000")]
    public int MaxWatchers { get; set; } = 1000;

    /// <summary>Events a watcher may fall behind by before it is cut off (it can resume).</summary>
    [Range(16, 1_000_000, ErrorMessage = "api watcherBuffer must be between 16 and 1000000")]
    public int WatcherBuffer { get; set; } = 1024;

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "api heartbeat must be between 100ms and 10m")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How many past events are kept for resuming with Last-Event-ID.</summary>
    [Range(0, 1_000_000, ErrorMessage = "api historySize must be between 0 and 1000000")]
    public int HistorySize { get; set; } = 10_000;

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "api historyAge must be between 0 and 7 days")]
    public TimeSpan HistoryAge { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class StoreOptions
{
    /// <summary>Namespace of the catalog ConfigMaps; empty means the pod's own namespace, else "agentlens-system".</summary>
    [RegularExpression(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$", ErrorMessage = "store namespace must be a DNS-1123 label")]
    public string? Namespace { get; set; }

    /// <summary>Also keep the raw card (capped at maxBytes) in the entry's ConfigMap as card.json.</summary>
    public bool StoreRawCard { get; set; }
}

internal sealed class LeaderElectionOptions
{
    public bool Enabled { get; set; } = true;

    [RegularExpression(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ErrorMessage = "leaderElection leaseName must be a DNS-1123 label")]
    public string LeaseName { get; set; } = "agentlens-operator";

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "leaderElection leaseDuration must be between 1s and 10m")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "leaderElection renewDeadline must be between 1s and 10m")]
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "leaderElection retryPeriod must be between 100ms and 10m")]
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);
}

[OptionsValidator]
internal sealed partial class OperatorOptionsValidator : IValidateOptions<OperatorOptions>;

/// <summary>Rules that span several options, which attributes cannot express.</summary>
internal sealed class OperatorOptionsCrossValidator : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        var failures = new List<string>();
        if (options.Crawl.PerHostConcurrency > options.Crawl.Concurrency)
        {
            failures.Add("crawl perHostConcurrency must not exceed crawl concurrency");
        }

        if (options.LeaderElection.RenewDeadline >= options.LeaderElection.LeaseDuration)
        {
            failures.Add("leaderElection renewDeadline must be shorter than leaseDuration");
        }

        foreach (var ns in options.Namespaces.Where(ns => !System.Text.RegularExpressions.Regex.IsMatch(ns, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")))
        {
            failures.Add($"namespaces: '{ns}' is not a valid namespace name");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class OperatorOptionsRegistration
{
    /// <summary>Flags in the kebab-case that platform engineers type, mapped onto the options.</summary>
    public static readonly Dictionary<string, string> Flags = new()
    {
        ["--poll-interval"] = "AgentLens:PollInterval",
        ["--label-selector"] = "AgentLens:LabelSelector",
        ["--cluster-domain"] = "AgentLens:ClusterDomain",
        ["--static-sources"] = "AgentLens:StaticSourcesPath",
        ["--offline-after-failures"] = "AgentLens:OfflineAfterFailures",
        ["--retention"] = "AgentLens:Retention",
        ["--kubeconfig"] = "AgentLens:Kubeconfig",
        ["--crawl-timeout"] = "AgentLens:Crawl:Timeout",
        ["--crawl-max-bytes"] = "AgentLens:Crawl:MaxBytes",
        ["--crawl-concurrency"] = "AgentLens:Crawl:Concurrency",
        ["--crawl-per-host-concurrency"] = "AgentLens:Crawl:PerHostConcurrency",
        ["--store-namespace"] = "AgentLens:Store:Namespace",
        ["--store-raw-card"] = "AgentLens:Store:StoreRawCard",
        ["--leader-elect"] = "AgentLens:LeaderElection:Enabled",
        ["--lease-name"] = "AgentLens:LeaderElection:LeaseName",
        ["--metrics-bind-address"] = "AgentLens:MetricsBindAddress",
        ["--health-probe-bind-address"] = "AgentLens:HealthProbeBindAddress",
        ["--log-format"] = "AgentLens:LogFormat",
        ["--api-bind-address"] = "AgentLens:Api:BindAddress",
        ["--api-auth"] = "AgentLens:Api:Auth",
        ["--api-max-watchers"] = "AgentLens:Api:MaxWatchers",
        ["--api-heartbeat"] = "AgentLens:Api:Heartbeat",
        ["--api-history-size"] = "AgentLens:Api:HistorySize",
        ["--api-history-age"] = "AgentLens:Api:HistoryAge",
    };

    public static void AddOperatorOptions(this WebApplicationBuilder builder, IReadOnlyList<string> args)
    {
        builder.Configuration.AddCommandLine([.. args], Flags);
        builder.Services.AddOptions<OperatorOptions>()
            .BindConfiguration(OperatorOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<OperatorOptions>, OperatorOptionsCrossValidator>();
    }

    /// <summary>
    /// Rewrites the flags into what the command-line configuration provider understands: `--once` is a bare
    /// switch and `--namespaces a,b` a list, which it knows neither of. An unknown flag is an error rather
    /// than silently ignored, so a typo never runs the operator with a default the user did not mean.
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

            if (name == "--once")
            {
                normalized.Add("--AgentLens:Once=" + (eq < 0 ? "true" : arg[(eq + 1)..]));
            }
            else if (name == "--namespaces")
            {
                var names = NextValue().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                normalized.AddRange(names.Select((ns, index) => $"--AgentLens:Namespaces:{index}={ns}"));
            }
            else if (Flags.ContainsKey(name))
            {
                normalized.Add($"{name}={NextValue()}");
            }
            else if (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal))
            {
                // A raw configuration key (--AgentLens:Crawl:Timeout=5s, --Logging:LogLevel:Default=Debug).
                normalized.Add($"{name}={NextValue()}");
            }
            else
            {
                error = $"unknown flag '{arg}'; known flags: --once, --namespaces, {string.Join(", ", Flags.Keys)}";
                return false;
            }
        }

        error = null;
        return true;
    }
}
