using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Cards;

/// <summary>Turns the bytes of one protocol's card into what the catalog shows.</summary>
internal interface ICardParser
{
    /// <summary>The protocols whose cards this parser reads.</summary>
    IReadOnlyCollection<Protocol> Protocols { get; }

    /// <exception cref="CardParseException">The card is not valid JSON or not a card of this protocol.</exception>
    ParsedCard Parse(ReadOnlyMemory<byte> json);
}

/// <summary>What a card says about its agent.</summary>
internal sealed record ParsedCard
{
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public string? Version { get; init; }
    public string? ProtocolVersion { get; init; }
    public Provider? Provider { get; init; }

    /// <summary>MCP: the card's <c>name</c>, kept apart from the title shown as <see cref="DisplayName"/>.</summary>
    public string? RegistryName { get; init; }

    /// <summary>An http(s) URL (see <see cref="CardUrls"/>).</summary>
    public string? WebsiteUrl { get; init; }

    public ImmutableArray<Icon> Icons { get; init; } = [];
    public ImmutableArray<Capability> Capabilities { get; init; } = [];

    /// <summary>MCP: the streamable-http URL a registry <c>server.json</c> names in <c>remotes[]</c>.</summary>
    public string? McpRemoteUrl { get; init; }

    /// <summary>Who grants access: A2A from the card's security declarations, MCP from a refusal's challenge.</summary>
    public AgentAuthorization? Authorization { get; init; }
}

internal enum CardErrorReason
{
    InvalidJson,
    MissingField,
    InvalidField,
    UnsupportedVersion,
}

/// <summary>A card that cannot be used, with a reason the entry's status shows.</summary>
internal sealed class CardParseException : Exception
{
    public CardParseException(CardErrorReason reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;

    public CardParseException()
        : this(CardErrorReason.InvalidJson, "invalid card")
    {
    }

    public CardParseException(string message)
        : this(CardErrorReason.InvalidJson, message)
    {
    }

    public CardParseException(string message, Exception innerException)
        : this(CardErrorReason.InvalidJson, message, innerException)
    {
    }

    public CardErrorReason Reason { get; }
}
