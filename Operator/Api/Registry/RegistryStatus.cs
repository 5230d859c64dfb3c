namespace AgentLens.Operator.Api.Registry;

/// <summary>The official block's <c>status</c>: <c>active</c>; <c>deprecated</c> while Degraded; <c>deleted</c> for tombstones (Offline or removed).</summary>
internal enum RegistryStatus
{
    Active,
    Deprecated,
    Deleted,
}
