namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// Where a hub's federated entry comes from: the member cluster (by the name the hub's inventory gives it)
/// and the namespace it is served in there, which is the namespace it is served in on the hub too
/// (namespace sameness: team-a is the same team in every cluster of the set).
/// </summary>
internal sealed record FederatedOrigin(string Cluster, string Namespace, string Name);
