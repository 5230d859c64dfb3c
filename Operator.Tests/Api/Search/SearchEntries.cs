using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>Catalog entries for search tests: an agent with a description and some capabilities, as the operator stores them.</summary>
internal static class SearchEntries
{
    public static StoredEntry Agent(string name, string? description = null, Lifecycle lifecycle = Lifecycle.Active, Protocol protocol = Protocol.A2a,
        string? team = null, string ns = "team-a", string[]? tags = null, string? displayName = null, params Capability[] capabilities) => new()
        {
            Name = name,
            Namespace = "catalog",
            ResourceVersion = "1",
            IsPush = false,
            Endpoint = $"http://{name}.{ns}.svc:8080",
            Json = $"{{\"name\":\"{name}\",\"d\":\"{description}\",\"l\":\"{lifecycle}\"}}",
            Entry = new AgentType
            {
                Metadata = new AgentMetadata { Name = name },
                Spec = new AgentSpec
                {
                    Protocol = protocol,
                    Endpoint = $"http://{name}.{ns}.svc:8080",
                    Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name },
                    Team = team,
                    Tags = [.. tags ?? []],
                },
                Status = new AgentStatus
                {
                    Lifecycle = lifecycle,
                    DisplayName = displayName ?? name,
                    Description = description,
                    Capabilities = [.. capabilities],
                },
            },
        };

    public static Capability Tool(string name, string? description = null, string? inputs = null) => new()
    {
        Kind = CapabilityKinds.McpTool,
        Name = name,
        Description = description,
        Properties = inputs is null ? ImmutableSortedDictionary<string, string>.Empty : ImmutableSortedDictionary<string, string>.Empty.Add(CapabilityProperties.Parameters, inputs),
    };

    public static Capability Skill(string id, string? description = null, string[]? tags = null, string? examples = null) => new()
    {
        Kind = CapabilityKinds.A2aSkill,
        Name = id,
        Description = description,
        Tags = [.. tags ?? []],
        Properties = examples is null ? ImmutableSortedDictionary<string, string>.Empty : ImmutableSortedDictionary<string, string>.Empty.Add(CapabilityProperties.Examples, examples),
    };

    /// <summary>An index holding exactly <paramref name="entries"/>.</summary>
    public static AgentLens.Operator.Api.Search.AgentSearchIndex Index(params StoredEntry[] entries)
    {
        var index = new AgentLens.Operator.Api.Search.AgentSearchIndex(new StoreNamespace("catalog"));
        index.Rebuild(entries);
        return index;
    }

    /// <summary>The names found for <paramref name="query"/>, best first.</summary>
    public static string[] Names(this AgentLens.Operator.Api.Search.IAgentSearch search, string query, CatalogFilter? filter = null, int limit = 10) =>
        [.. search.Search(query, filter ?? CatalogFilter.All, limit).Items.Select(h => h.Entry.Name)];
}
