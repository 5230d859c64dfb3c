namespace AgentLens.Operator.Api.Registry;

/// <summary>The registry's servers at one moment, sorted by name (ordinal), live and tombstones, with a lookup by name.</summary>
internal sealed class RegistrySnapshot
{
    private readonly Dictionary<string, RegistryServer> byName;

    public RegistrySnapshot(ImmutableArray<RegistryServer> servers)
    {
        Servers = servers;
        byName = servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public static RegistrySnapshot Empty { get; } = new([]);

    public ImmutableArray<RegistryServer> Servers { get; }

    public RegistryServer? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>The index of the first server whose name sorts after <paramref name="name"/>.</summary>
    public int After(string name)
    {
        int lo = 0, hi = Servers.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (string.CompareOrdinal(Servers[mid].Name, name) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
