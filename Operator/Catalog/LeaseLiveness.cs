using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>Whether a push entry's agent is alive, as its Lease says.</summary>
internal enum Liveness
{
    /// <summary>The entry names no Lease (or is not a push entry): it is shown as written.</summary>
    None,
    Live,
    Expired,
    Missing,
}

/// <summary>What the operator knows of one agent Lease.</summary>
internal sealed record LeaseState(DateTimeOffset? RenewTime, int? DurationSeconds, DateTimeOffset Since);

/// <summary>
/// A push entry's liveness, derived — never written back to its ConfigMap — from the Lease it names
/// (annotation <c>agentlens.io/lease</c>), on the operator's clock with a small grace for clock skew:
/// <list type="bullet">
/// <item>renewTime + leaseDurationSeconds + grace still ahead: Live, shown as written, condition
/// <c>LeaseHeld=True</c>;</item>
/// <item>past: Expired — shown Offline with <c>LeaseHeld=False</c>, reason <c>LeaseExpired</c>;</item>
/// <item>no such Lease: Missing — shown Offline, reason <c>LeaseMissing</c>;</item>
/// <item>Expired or Missing for longer than the retention: no longer listed (the ConfigMap stays).</item>
/// </list>
/// Every input is data, so every replica derives the same entry; condition times come from the Lease, so a
/// renewal that changes nothing else changes nothing a watcher sees.
/// </summary>
internal static class LeaseLiveness
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    /// <summary>The Lease a push entry names, or null.</summary>
    public static string? LeaseName(StoredEntry entry) =>
        entry.IsPush && entry.Object?.Metadata?.Annotations?.TryGetValue(Annotations.Lease, out var name) == true && !string.IsNullOrWhiteSpace(name)
            ? name.Trim()
            : null;

    /// <summary>The liveness a Lease gives, and since when it has not been live.</summary>
    public static (Liveness Liveness, DateTimeOffset? Since) Of(LeaseState? lease, DateTimeOffset now, DateTimeOffset missingSince)
    {
        if (lease is null)
        {
            return (Liveness.Missing, missingSince);
        }

        if (lease.RenewTime is not { } renewed || lease.DurationSeconds is not { } seconds)
        {
            // A Lease nobody has renewed yet holds nothing.
            return (Liveness.Expired, lease.Since);
        }

        var expiry = renewed + TimeSpan.FromSeconds(seconds);
        return now > expiry + Grace ? (Liveness.Expired, expiry) : (Liveness.Live, null);
    }

    /// <summary>The entry as readers see it, or null when it is no longer listed.</summary>
    public static StoredEntry? Apply(StoredEntry raw, string leaseName, Liveness liveness, DateTimeOffset? since, LeaseState? lease, DateTimeOffset now, TimeSpan retention)
    {
        if (liveness == Liveness.None || raw.Entry is not { } entry)
        {
            return raw;
        }

        if (liveness != Liveness.Live && since is { } down && now - down > retention)
        {
            return null;
        }

        var status = entry.Status;
        status = liveness == Liveness.Live
            ? status with
            {
                Conditions = Conditions.Set(status.Conditions, ConditionTypes.LeaseHeld, ConditionStatus.True, "Renewed",
                    $"Lease {leaseName} is renewed", CatalogJson.Truncate(lease!.Since)),
            }
            : status with
            {
                Lifecycle = Lifecycle.Offline,
                OfflineSince = CatalogJson.Truncate(since!.Value),
                Conditions = Conditions.Set(status.Conditions, ConditionTypes.LeaseHeld, ConditionStatus.False,
                    liveness == Liveness.Expired ? "LeaseExpired" : "LeaseMissing",
                    liveness == Liveness.Expired ? $"Lease {leaseName} was not renewed in time" : $"Lease {leaseName} does not exist",
                    CatalogJson.Truncate(since.Value)),
            };
        var derived = entry with { Status = status };
        return raw with
        {
            Entry = derived,
            Json = CatalogJson.SerializeToString(derived),
            Labels = raw.Labels.SetItem(Annotations.LifecycleLabel, status.Lifecycle.ToString()),
        };
    }
}
