using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>A copy of the stored catalog that is kept anyway (the readers' watch cache), read instead of listing.</summary>
internal interface ICatalogReader
{
    /// <summary>
    /// The stored entries, when the copy is synced and shows every entry in <paramref name="writes"/> as written
    /// (name → resourceVersion; null: deleted), waiting up to <paramref name="wait"/> for it; else null.
    /// </summary>
    Task<IReadOnlyList<StoredEntry>?> TryReadAsync(IReadOnlyDictionary<string, string?> writes, TimeSpan wait, CancellationToken cancellationToken);
}
