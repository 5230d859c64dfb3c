using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

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

    /// <summary>What an entry naming no possible Lease follows: no Lease can have this name, so it reads as Missing.</summary>
    public const string InvalidLeaseName = "(not a valid Lease name)";

    /// <summary>The Lease a push entry names, or null. The annotation is its author's text: only a possible Lease name is used (and ever shown).</summary>
    public static string? LeaseName(StoredEntry entry)
    {
        if (!entry.IsPush || entry.LeaseAnnotation is not { } name || string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        name = name.Trim();
        return name.Length <= 253 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.') ? name : InvalidLeaseName;
    }

    /// <summary>The liveness a Lease gives, and since when it has not been live.</summary>
    public static (Liveness Liveness, DateTimeOffset? Since) Of(LeaseState? lease, DateTimeOffset now, DateTimeOffset missingSince)
    {
        if (lease is null)
        {
            return (Liveness.Missing, missingSince);
        }

        if (lease.RenewTime is not { } renewed || lease.DurationSeconds is not { } seconds || seconds <= 0)
        {
            // A Lease nobody has renewed yet (or renewed for no time at all) holds nothing.
            return (Liveness.Expired, lease.Since);
        }

        // Saturating: a holder's renewTime in year 9999 or a duration of 68 years must not overflow.
        var expiry = Add(renewed, TimeSpan.FromSeconds(seconds));
        return now > Add(expiry, Grace) ? (Liveness.Expired, Max(expiry, lease.Since)) : (Liveness.Live, null);
    }

    /// <summary>
    /// When the liveness <see cref="Of"/> gives can next change without any Lease event (Live: just after the
    /// expiry and grace; not Live: just after the retention, when the entry stops being listed); null: never.
    /// </summary>
    public static DateTimeOffset? NextChange(LeaseState? lease, Liveness liveness, DateTimeOffset? since, TimeSpan retention)
    {
        var at = liveness switch
        {
            Liveness.Live when lease is { RenewTime: { } renewed, DurationSeconds: { } seconds } => Add(Add(renewed, TimeSpan.FromSeconds(seconds)), Grace),
            Liveness.Expired or Liveness.Missing when since is { } down => Add(down, retention),
            _ => DateTimeOffset.MaxValue,
        };
        return at == DateTimeOffset.MaxValue ? null : at.AddTicks(1);
    }

    /// <summary><paramref name="time"/> + <paramref name="span"/>, clamped to the calendar instead of throwing.</summary>
    public static DateTimeOffset Add(DateTimeOffset time, TimeSpan span) =>
        span >= TimeSpan.Zero
            ? (DateTimeOffset.MaxValue - time <= span ? DateTimeOffset.MaxValue : time + span)
            : (span == TimeSpan.MinValue || time - DateTimeOffset.MinValue <= -span ? DateTimeOffset.MinValue : time + span);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

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
            Utf8Json = CatalogJson.Serialize(derived),
            Labels = raw.Labels.SetItem(Annotations.LifecycleLabel, status.Lifecycle.ToString()),
        };
    }
}
