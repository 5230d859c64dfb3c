using AgentLens.Operator.Api.Ui;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Hosting;

/// <summary>The stored operator status as the status endpoint sees it (<see cref="IOperatorStatusView"/>), delegating only.</summary>
internal sealed class OperatorStatusView(OperatorStatusReader reader) : IOperatorStatusView
{
    public async Task<(string? Json, string? Problem)> ReadAsync(CancellationToken cancellationToken)
    {
        var text = await reader.ReadAsync(cancellationToken);
        return (text.Json, text.Problem);
    }
}
