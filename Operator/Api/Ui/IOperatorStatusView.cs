namespace AgentLens.Operator.Api.Ui;

/// <summary>
/// What the status endpoint reads of the operator: the last cycle as the leader stored it (a JSON object),
/// or a sentence saying why it cannot be shown. Catalog reads it; Hosting wires the two.
/// </summary>
internal interface IOperatorStatusView
{
    Task<(string? Json, string? Problem)> ReadAsync(CancellationToken cancellationToken);
}
