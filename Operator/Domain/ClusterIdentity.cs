using System.Text.RegularExpressions;

namespace AgentLens.Operator.Domain;

/// <summary>
/// The name of the cluster this operator runs in, and where it came from: the About API's ClusterProperty
/// <c>cluster.clusterset.k8s.io</c> (the ClusterSet's stable ID), else <c>--cluster-name</c>, else none.
/// Entries carry it (label <c>agentlens.io/cluster</c>, <c>status.cluster</c>), so a hub's catalog says where
/// each agent runs. It has to be a label value, so a DNS label of at most 63 characters.
/// </summary>
internal sealed partial record ClusterIdentity(string? Name, string Source)
{
    public const string PropertyName = "cluster.clusterset.k8s.io";
    public const string FromProperty = "ClusterProperty " + PropertyName;
    public const string FromFlag = "--cluster-name";

    public static ClusterIdentity None { get; } = new(null, "none");

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>Whether <paramref name="name"/> can name a cluster (a DNS label: it becomes a label value and part of entry names).</summary>
    public static bool IsValid(string? name) => name is not null && Label().IsMatch(name);
}
