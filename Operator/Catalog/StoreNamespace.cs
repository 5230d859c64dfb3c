namespace AgentLens.Operator.Catalog;

/// <summary>The catalog's namespace, resolved once at start-up.</summary>
internal sealed record StoreNamespace(string Name);
