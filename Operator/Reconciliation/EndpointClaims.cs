using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>A claim to an endpoint that lost to another; it is reported (DuplicateAgent), never applied.</summary>
internal sealed record LostClaim(DiscoveredAgent Loser, SourceRef Owner, string? EntryName);

/// <summary>
/// Decides which announcement owns each endpoint, so no tenant can take over another's entry — a pure
/// function, unit-tested without I/O:
/// <list type="bullet">
/// <item>an entry belongs to the source object that created it (<c>spec.source</c>): while that object still
/// announces the endpoint it keeps it, whoever else announces it too;</item>
/// <item>when the owner no longer announces it, only a Service of the owner's own namespace (a rename) or
/// the static sources (the platform team's own file) may take the entry over; anyone else waits until the
/// entry has gone Offline and been deleted after the retention;</item>
/// <item>when the owner's source failed this cycle nothing changes hands;</item>
/// <item>a new endpoint goes to a Service before the static file (as before), then to the oldest object
/// (creationTimestamp), then by namespace/name — never to whichever sorts or lists first by name alone;</item>
/// <item>endpoints a push entry registers are nobody's to claim.</item>
/// </list>
/// </summary>
internal static class EndpointClaims
{
    public static (Dictionary<string, DiscoveredAgent> Winners, List<LostClaim> Lost) Resolve(
        IEnumerable<DiscoveredAgent> claims,
        IReadOnlyDictionary<string, StoredEntry> existing,
        IReadOnlySet<string> pushEndpoints,
        IReadOnlySet<SourceType> failedSources)
    {
        var winners = new Dictionary<string, DiscoveredAgent>(StringComparer.Ordinal);
        var lost = new List<LostClaim>();
        foreach (var group in claims.Where(c => !pushEndpoints.Contains(c.Endpoint)).GroupBy(c => c.Endpoint, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(c => c.Source.Type).ThenBy(c => c.SourceCreated ?? DateTimeOffset.MaxValue)
                .ThenBy(c => c.Source.Namespace, StringComparer.Ordinal).ThenBy(c => c.Source.Name, StringComparer.Ordinal).ToList();
            var entry = existing.GetValueOrDefault(group.Key);
            var owner = entry?.Entry?.Spec.Source;
            DiscoveredAgent? winner;
            if (owner is null)
            {
                winner = ordered[0];
            }
            else
            {
                winner = ordered.FirstOrDefault(c => c.Source == owner)
                    ?? (failedSources.Contains(owner.Type) ? null : ordered.FirstOrDefault(c => MayTakeOver(c.Source, owner)));
            }

            if (winner is not null)
            {
                winners[group.Key] = winner;
            }

            var ownerRef = winner?.Source ?? owner!;
            lost.AddRange(ordered.Where(c => !ReferenceEquals(c, winner)).Select(c => new LostClaim(c, ownerRef, entry?.Name)));
        }

        return (winners, lost);
    }

    private static bool MayTakeOver(SourceRef claimant, SourceRef owner) =>
        claimant.Type == SourceType.Static
        || (claimant.Type == SourceType.Kubernetes && owner.Type == SourceType.Kubernetes && claimant.Namespace == owner.Namespace);
}
