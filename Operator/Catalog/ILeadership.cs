namespace AgentLens.Operator.Catalog;

/// <summary>Whether this replica leads (and so tells of what it sees with Events).</summary>
internal interface ILeadership
{
    bool IsLeader { get; }
}
