namespace AgentLens.Operator.Domain;

/// <summary>A Secret that holds an agent's bearer token (key <c>token</c>); naming it reveals nothing.</summary>
internal sealed record SecretReference(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
