using System.Collections.Concurrent;

namespace AgentLens.Operator.Domain;

/// <summary>
/// One instance of each repeated short string (namespaces, label keys and values, kinds) across everything the
/// operator keeps: 10,000 entries carry a handful of distinct values, not 10,000 copies of each. Unlike
/// <see cref="string.Intern"/> it is bounded: past <see cref="Capacity"/> distinct strings (hostile labels, say)
/// a string is returned as it came, so the pool never grows without limit; long strings are never pooled.
/// </summary>
internal static class StringPool
{
    public const int Capacity = 8192;
    public const int MaxLength = 128;
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    [return: NotNullIfNotNull(nameof(value))]
    public static string? Get(string? value)
    {
        if (value is null || value.Length > MaxLength)
        {
            return value;
        }

        if (Pool.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        return Pool.Count < Capacity ? Pool.GetOrAdd(value, value) : value;
    }
}
