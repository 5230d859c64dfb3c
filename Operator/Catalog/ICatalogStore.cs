using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>Where the catalog lives. The ConfigMap implementation is the only one; tests use the real API server.</summary>
internal interface ICatalogStore
{
    string Namespace { get; }

    /// <summary>Every catalog entry (one paginated list by label selector).</summary>
    Task<IReadOnlyList<StoredEntry>> ListAsync(CancellationToken cancellationToken);

    Task<StoredEntry?> GetAsync(string name, CancellationToken cancellationToken);

    /// <exception cref="CatalogConflictException">An object of that name already exists.</exception>
    Task<StoredEntry> CreateAsync(string name, AgentType entry, ReadOnlyMemory<byte>? rawCard, CancellationToken cancellationToken);

    /// <summary>Replaces the entry, on condition that it is still at <paramref name="existing"/>'s resourceVersion.</summary>
    /// <exception cref="CatalogConflictException">Someone else changed it since it was read.</exception>
    Task<StoredEntry> UpdateAsync(StoredEntry existing, AgentType entry, ReadOnlyMemory<byte>? rawCard, CancellationToken cancellationToken);

    /// <exception cref="CatalogConflictException">Someone else changed it since it was read.</exception>
    Task DeleteAsync(StoredEntry existing, CancellationToken cancellationToken);

    Task WriteStatusAsync(OperatorStatus status, CancellationToken cancellationToken);
}
