using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Reconciliation;

/// <summary>
/// Keeps every entry far below the API server's 1 MiB object limit by construction, whatever a card says:
/// each text field is capped, an entry keeps at most <see cref="MaxCapabilities"/> capabilities, and the
/// serialized entry is at most <see cref="MaxEntryBytes"/> (capabilities are dropped from the end until it
/// fits). Whatever was cut is said in condition <c>Truncated</c>.
/// </summary>
internal static class EntryLimits
{
    public const int MaxEntryBytes = 512 * 1024;
    public const int MaxCapabilities = CapabilityLimits.MaxPerEntry;
    public const int MaxNameChars = 256;
    public const int MaxDescriptionChars = 2048;
    public const int MaxCapabilityDescriptionChars = 1024;
    public const int MaxMessageChars = 512;
    public const int MaxTags = 32;
    public const int MaxTagChars = 64;
    public const int MaxProperties = 32;
    public const int MaxPropertyChars = CapabilityLimits.MaxPropertyChars;

    /// <summary>At most <paramref name="max"/> characters, never splitting a surrogate pair; "…" marks a cut.</summary>
    public static string? Cap(string? text, int max) => CapabilityLimits.Cap(text, max);

    /// <summary>A tool's parameters may be longer than other properties: they are what search reads of its schema.</summary>
    public static int MaxPropertyCharsOf(string key) => key == CapabilityProperties.Parameters ? CapabilityLimits.MaxParametersChars : MaxPropertyChars;

    public static Capability Bound(Capability c) => c with
    {
        Kind = Cap(c.Kind, 64)!,
        Name = Cap(c.Name, MaxNameChars)!,
        Description = Cap(c.Description, MaxCapabilityDescriptionChars),
        Tags = c.Tags.Length <= MaxTags && c.Tags.All(t => t.Length <= MaxTagChars) ? c.Tags : [.. c.Tags.Take(MaxTags).Select(t => Cap(t, MaxTagChars)!)],
        Properties = c.Properties.Count <= MaxProperties && c.Properties.All(p => p.Key.Length <= MaxNameChars && p.Value.Length <= MaxPropertyCharsOf(p.Key))
            ? c.Properties
            : c.Properties.Take(MaxProperties).ToImmutableSortedDictionary(p => Cap(p.Key, MaxNameChars)!, p => Cap(p.Value, MaxPropertyCharsOf(p.Key))!, StringComparer.Ordinal),
    };

    /// <summary>The card's texts and capabilities within their caps, with <c>Truncated</c> set or cleared.</summary>
    public static AgentStatus Bound(AgentStatus status, int cardCapabilities, DateTimeOffset now)
    {
        var kept = status.Capabilities.Length > MaxCapabilities ? status.Capabilities[..MaxCapabilities] : status.Capabilities;
        var bounded = status with
        {
            DisplayName = Cap(status.DisplayName, MaxNameChars),
            Description = Cap(status.Description, MaxDescriptionChars),
            Version = Cap(status.Version, 128),
            ProtocolVersion = Cap(status.ProtocolVersion, 64),
            Provider = status.Provider is { } p ? new Provider(Cap(p.Organization, MaxNameChars), Cap(p.Url, MaxNameChars)) : null,
            RegistryName = Cap(status.RegistryName, MaxNameChars),
            // A cut URL would point somewhere else: one too long is dropped (CardUrls keeps them short already).
            WebsiteUrl = CardUrls.Http(status.WebsiteUrl),
            Icons = status.Icons.IsDefault ? [] : CardUrls.Icons(status.Icons.Select(i => ((string?)i.Src, i.MimeType, i.Theme))),
            Capabilities = [.. kept.Select(Bound)],
        };
        return WithTruncated(bounded, cardCapabilities, now);
    }

    /// <summary>The entry as it will be stored, shortened until its JSON fits <see cref="MaxEntryBytes"/>.</summary>
    public static AgentType FitSize(AgentType entry, int cardCapabilities, DateTimeOffset now)
    {
        var size = CatalogJson.Serialize(entry).Length;
        while (size > MaxEntryBytes && entry.Status.Capabilities.Length > 0)
        {
            // Shrink in proportion to the excess (at least one), so a huge entry fits in a few passes.
            var caps = entry.Status.Capabilities;
            var keep = Math.Min(caps.Length - 1, (int)((long)caps.Length * MaxEntryBytes / size * 9 / 10));
            entry = entry with { Status = WithTruncated(entry.Status with { Capabilities = caps[..Math.Max(0, keep)] }, cardCapabilities, now) };
            size = CatalogJson.Serialize(entry).Length;
        }

        return entry;
    }

    private static AgentStatus WithTruncated(AgentStatus status, int cardCapabilities, DateTimeOffset now)
    {
        var conditions = status.Capabilities.Length < cardCapabilities
            ? CatalogPlanner.SetCondition(status.Conditions, ConditionTypes.Truncated, ConditionStatus.True, "TooManyCapabilities",
                $"the card lists {cardCapabilities} capabilities; the entry keeps the first {status.Capabilities.Length} (at most {MaxCapabilities}, {MaxEntryBytes / 1024} KiB per entry)", now)
            : [.. status.Conditions.Where(c => c.Type != ConditionTypes.Truncated)];
        return status with { Conditions = conditions };
    }
}
