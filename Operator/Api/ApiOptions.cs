using System.ComponentModel.DataAnnotations;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api;

/// <summary>
/// The HTTP/SSE catalog API and what both reader APIs share (watch admission, TokenReview rate, watch
/// history); bound from <c>AgentLens:Api</c> and validated with the other options at start-up.
/// </summary>
internal sealed class ApiOptions
{
    /// <summary>Where the catalog API is served; "0" turns it off.</summary>
    [RegularExpression(ListenAddress.Pattern, ErrorMessage = "apiBindAddress must be [host]:port or 0")]
    public string BindAddress { get; set; } = ":8082";

    /// <summary>"kubernetes": bearer token checked by TokenReview, list configmaps checked by SubjectAccessReview; "none": open.</summary>
    [RegularExpression("^(none|kubernetes)$", ErrorMessage = "api auth must be none or kubernetes")]
    public string Auth { get; set; } = "kubernetes";

    /// <summary>The catalog page at <c>/ui/</c> on this API's listener (Api/Ui/CatalogUi.cs); it reads only what this API serves the token it is given.</summary>
    public bool Ui { get; set; } = true;

    [Range(1, 100_000, ErrorMessage = "api maxWatchers must be between 1 and 100000")]
    public int MaxWatchers { get; set; } = 1000;

    /// <summary>The share of <see cref="MaxWatchers"/> one user may hold (both APIs together).</summary>
    [Range(0.001, 1.0, ErrorMessage = "api watchersPerUser must be a fraction between 0.001 and 1")]
    public double WatchersPerUser { get; set; } = 0.1;

    /// <summary>The share of <see cref="MaxWatchers"/> the watchers of one namespace may hold together.</summary>
    [Range(0.001, 1.0, ErrorMessage = "api watchersPerNamespace must be a fraction between 0.001 and 1")]
    public double WatchersPerNamespace { get; set; } = 0.25;

    /// <summary>The share of <see cref="MaxWatchers"/> kept for readers who may list agenttypes cluster-wide.</summary>
    [Range(0.0, 0.9, ErrorMessage = "api watcherReserve must be a fraction between 0 and 0.9")]
    public double WatcherReserve { get; set; } = 0.1;

    /// <summary>TokenReviews of tokens not seen before, per second (twice that in a burst), for both APIs.</summary>
    [Range(1, 10_000, ErrorMessage = "api tokenReviewsPerSecond must be between 1 and 10000")]
    public int TokenReviewsPerSecond { get; set; } = 10;

    public WatchShares Shares() => new(MaxWatchers, WatchersPerUser, WatchersPerNamespace, WatcherReserve);

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
