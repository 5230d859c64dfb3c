using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api.Mcp;

/// <summary>A small catalog: an A2A agent of team-a with interfaces and security, an MCP server of team-b with tools.</summary>
internal static class McpCatalog
{
    public const string TeamA = "team-a";
    public const string TeamB = "team-b";

    public static StoredEntry Invoices { get; } = Entry("invoices-a2a", TeamA, Protocol.A2a, "https://invoices.team-a.svc:8080", "Invoice Translator", "Translates invoices into German and French.",
    [
        new Capability { Kind = CapabilityKinds.A2aSkill, Name = "translate_invoice", Description = "Translate an invoice into German", Tags = ["translation"] },
        new Capability { Kind = CapabilityKinds.A2aInterface, Name = "JSONRPC https://invoices.team-a.svc:8080/a2a", Properties = Props(("url", "https://invoices.team-a.svc:8080/a2a"), ("transport", "JSONRPC"), ("protocolVersion", "1.0")) },
        new Capability { Kind = CapabilityKinds.A2aInterface, Name = "HTTP+JSON https://invoices.team-a.svc:8080/rest", Properties = Props(("url", "https://invoices.team-a.svc:8080/rest"), ("transport", "HTTP+JSON"), ("protocolVersion", "0.3")) },
        new Capability { Kind = CapabilityKinds.A2aSecurityScheme, Name = "bearer", Description = "A cluster token", Properties = Props(("type", "http"), ("scheme", "bearer")) },
        new Capability { Kind = CapabilityKinds.A2aSecurityScheme, Name = "oauth", Properties = Props(("type", "oauth2")) },
        new Capability { Kind = CapabilityKinds.A2aSecurityRequirement, Name = "bearer + oauth", Properties = Props(("scopes.oauth", "invoices.read,invoices.write")) },
    ]);

    public static StoredEntry Tickets { get; } = Entry("tickets-mcp", TeamB, Protocol.Mcp, "http://tickets.team-b.svc:3000/mcp", "Tickets", "Opens and updates Jira tickets.",
    [
        new Capability { Kind = CapabilityKinds.McpTool, Name = "create_jira_issue", Description = "Open a Jira ticket" },
        new Capability { Kind = CapabilityKinds.McpTool, Name = "close_jira_issue", Description = "Close a Jira ticket" },
    ]);

    public static IReadOnlyList<StoredEntry> All { get; } = [Invoices, Tickets];

    private static ImmutableSortedDictionary<string, string> Props(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static StoredEntry Entry(string name, string ns, Protocol protocol, string endpoint, string displayName, string description, ImmutableArray<Capability> capabilities) => new()
    {
        Name = name,
        Namespace = McpHost.Store,
        ResourceVersion = "1",
        IsPush = false,
        Endpoint = endpoint,
        Entry = new AgentType
        {
            Metadata = new AgentMetadata { Name = name },
            Spec = new AgentSpec
            {
                Protocol = protocol,
                Endpoint = endpoint,
                Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name },
                Team = ns,
                Tags = ["billing"],
            },
            Status = new AgentStatus
            {
                Lifecycle = Lifecycle.Active,
                DisplayName = displayName,
                Description = description,
                Version = "1.2.0",
                Capabilities = capabilities,
                Conditions = [new Condition { Type = ConditionTypes.CardFetched, Status = ConditionStatus.True, Reason = "Fetched", Message = "card fetched", LastTransitionTime = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) }],
            },
        },
    };
}
