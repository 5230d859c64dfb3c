using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// Keeps an entry's name when its identity changes form — an upgrade that tells agents apart by path, or a
/// Service whose card path or <c>agentlens.io/path</c> was edited: an agent announced at an endpoint that has
/// no entry takes over the entry its own source object owns at another endpoint, when nobody announces that
/// endpoint any more. The entry is then updated in place (same name, new <c>spec.endpoint</c>) instead of a
/// new entry being created and the old one going Offline.
/// </summary>
internal static class EntryMigration
{
    /// <summary>Re-keys <paramref name="managed"/> (entries by endpoint) in place; returns the moves made (old → new endpoint).</summary>
    public static List<(string From, string To)> Rekey(Dictionary<string, List<StoredEntry>> managed, IReadOnlyDictionary<string, DiscoveredAgent> desired)
    {
        var moves = new List<(string, string)>();
        var ownedBy = managed
            .Where(kv => !desired.ContainsKey(kv.Key) && kv.Value[0].Entry is not null)
            .GroupBy(kv => kv.Value[0].Entry!.Spec.Source)
            .ToDictionary(g => g.Key, g => g.First().Key);
        foreach (var (endpoint, agent) in desired)
        {
            if (managed.ContainsKey(endpoint) || !ownedBy.Remove(agent.Source, out var from) || !managed.Remove(from, out var entries))
            {
                continue;
            }

            managed[endpoint] = entries;
            moves.Add((from, endpoint));
        }

        return moves;
    }
}
