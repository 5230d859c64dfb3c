namespace AgentLens.Operator.Domain;

/// <summary>One alternative an A2A card accepts: all of these schemes together, each with its scopes.</summary>
internal sealed record AuthorizationRequirement
{
    /// <summary>The schemes required together, by name, sorted.</summary>
    public ImmutableArray<string> Schemes { get; init; } = [];

    /// <summary>The scopes each scheme needs, space-separated, by scheme name (only schemes that name any).</summary>
    public ImmutableSortedDictionary<string, string> Scopes { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public bool Equals(AuthorizationRequirement? other) =>
        other is not null && (Schemes.IsDefault ? [] : Schemes).SequenceEqual(other.Schemes.IsDefault ? [] : other.Schemes)
        && (Scopes ?? ImmutableSortedDictionary<string, string>.Empty).SequenceEqual(other.Scopes ?? ImmutableSortedDictionary<string, string>.Empty);

    public override int GetHashCode() => Schemes.IsDefault ? 0 : Schemes.Length;
}
