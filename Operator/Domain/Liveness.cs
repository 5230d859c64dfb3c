namespace AgentLens.Operator.Domain;

/// <summary>Whether a push entry's agent is alive, as its Lease says.</summary>
internal enum Liveness
{
    /// <summary>The entry names no Lease (or is not a push entry): it is shown as written.</summary>
    None,
    Live,
    Expired,
    Missing,
}
