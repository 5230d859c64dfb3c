using System.ComponentModel.DataAnnotations;

namespace AgentLens.Operator.Hosting;

/// <summary>Who runs cycles when several replicas run; bound from <c>AgentLens:LeaderElection</c>.</summary>
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

    /// <summary>Rules between these options, which attributes cannot express.</summary>
    public IEnumerable<string> Problems()
    {
        if (RenewDeadline >= LeaseDuration)
        {
            yield return "leaderElection renewDeadline must be shorter than leaseDuration";
        }
    }
}
