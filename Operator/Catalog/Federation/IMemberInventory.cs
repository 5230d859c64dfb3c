namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// Where a hub's members are named (member Secrets, ClusterProfiles): it watches its objects in the hub's
/// federation namespace and tells the hub what each one names now (<c>null</c> when the object is gone).
/// </summary>
internal interface IMemberInventory
{
    /// <summary>Watches until cancelled; never throws.</summary>
    Task RunAsync(IKubernetes client, string @namespace, Action<string, MemberSpec?> changed, CancellationToken cancellationToken);
}
