namespace AgentLens.Operator.Api;

/// <summary>
/// How a catalog version is written on each wire: the SSE event id <c>epoch.version</c>, and the Kubernetes
/// resourceVersion (the version in the low 40 bits, a random epoch above them). Each run draws its own
/// epochs, so an id from another replica or an earlier run is told apart — a fresh snapshot for SSE, 410
/// Gone for a Kubernetes watch — and never misread as one of ours.
/// </summary>
internal sealed class WireIds
{
    private const int EpochShift = 40;
    private readonly long resourceVersionEpoch = Random.Shared.NextInt64(1, 1L << 22);

    /// <summary>Identifies this run's SSE numbering; a Last-Event-ID from another epoch cannot be replayed.</summary>
    public string Epoch { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);

    public string EventId(long version) => $"{Epoch}.{version}";

    /// <summary>The catalog version an SSE event id of this run names; false for another epoch's or garbage.</summary>
    public bool TryParseEventId(string? id, out long version)
    {
        version = 0;
        var dot = id?.LastIndexOf('.') ?? -1;
        return dot > 0 && id![..dot] == Epoch && long.TryParse(id[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    /// <summary>A catalog version as a Kubernetes resourceVersion (opaque to clients, unique to this run).</summary>
    public string ResourceVersion(long version) => ((resourceVersionEpoch << EpochShift) | version).ToString(CultureInfo.InvariantCulture);

    /// <summary>The catalog version a resourceVersion of this run names; false for another epoch's or garbage.</summary>
    public bool TryParseResourceVersion(string? resourceVersion, out long version)
    {
        version = 0;
        if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var raw) || raw >> EpochShift != resourceVersionEpoch)
        {
            return false;
        }

        version = raw & ((1L << EpochShift) - 1);
        return true;
    }
}
