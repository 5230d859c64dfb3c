using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// One catalog entry as stored. Operator-managed entries carry a parsed <see cref="Entry"/>; a push entry
/// carries whatever its author wrote, parsed if it could be (else <see cref="Problem"/> says why).
/// </summary>
internal sealed record StoredEntry
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public required string ResourceVersion { get; init; }
    public string? Uid { get; init; }
    public required bool IsPush { get; init; }

    /// <summary>The normalized endpoint the entry is for, when it can be told.</summary>
    public string? Endpoint { get; init; }

    public AgentType? Entry { get; init; }

    /// <summary>The stored agenttype.json exactly as stored, to compare with the desired bytes.</summary>
    public string? Json { get; init; }

    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public string? Problem { get; init; }

    /// <summary>The stored object, so an update keeps what others added to its metadata.</summary>
    public V1ConfigMap? Object { get; init; }
}

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

internal sealed class CatalogConflictException : Exception
{
    public CatalogConflictException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public CatalogConflictException()
    {
    }

    public CatalogConflictException(string message)
        : base(message)
    {
    }
}

/// <summary>A copy of the stored catalog that is kept anyway (the readers' watch cache), read instead of listing.</summary>
internal interface ICatalogReader
{
    /// <summary>
    /// The stored entries, when the copy is synced and shows every entry in <paramref name="writes"/> as written
    /// (name → resourceVersion; null: deleted), waiting up to <paramref name="wait"/> for it; else null.
    /// </summary>
    Task<IReadOnlyList<StoredEntry>?> TryReadAsync(IReadOnlyDictionary<string, string?> writes, TimeSpan wait, CancellationToken cancellationToken);
}
