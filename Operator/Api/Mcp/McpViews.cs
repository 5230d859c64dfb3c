using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>The MCP tools' views of a catalog entry: what an agent needs to pick one and call it.</summary>
internal static class McpViews
{
    private const string StreamableHttp = "streamable-http";

    public static AgentHitView Hit(SearchHit hit, string storeNamespace)
    {
        var item = hit.Entry;
        var status = item.Entry?.Status;
        return new AgentHitView(CatalogFilter.ServedNamespace(item, storeNamespace), item.Name, status?.DisplayName, status?.Description,
            Protocol(item), Lifecycle(item), Endpoint(item), hit.Score, hit.Matches, Reach(item));
    }

    public static AgentRefView Ref(StoredEntry item, string storeNamespace) =>
        new(CatalogFilter.ServedNamespace(item, storeNamespace), item.Name, Protocol(item), Endpoint(item), Lifecycle(item));

    /// <summary>The matched tools and skills of one hit, described from the entry (the match itself carries only a snippet).</summary>
    public static IEnumerable<ToolHitView> Tools(SearchHit hit, string storeNamespace)
    {
        var agent = Ref(hit.Entry, storeNamespace);
        var capabilities = hit.Entry.Entry?.Status.Capabilities ?? [];
        return from match in hit.Matches
               let capability = capabilities.FirstOrDefault(c => c.Kind == match.Kind && c.Name == match.Name)
               select new ToolHitView(match.Kind, match.Name, capability?.Description, match.Snippet, hit.Score, agent);
    }

    public static AgentView Agent(StoredEntry item, string storeNamespace)
    {
        var entry = item.Entry;
        var status = entry?.Status;
        var card = new CardSummary(status?.DisplayName, status?.Description, status?.Version, status?.ProtocolVersion,
            status?.Provider?.Organization, status?.Provider?.Url, entry?.Spec.CardUrl, entry?.Spec.Team ?? item.Labels.GetValueOrDefault(Annotations.TeamLabel),
            entry is null ? [] : [.. entry.Spec.Tags], Source(entry?.Spec.Source), item.Problem);
        var capabilities = (status?.Capabilities ?? []).Select(c => new CapabilityView(c.Kind, c.Name, c.Description, [.. c.Tags], c.Properties)).ToList();
        var conditions = (status?.Conditions ?? []).Select(c => new ConditionView(c.Type, c.Status.ToString(), c.Reason, c.Message, c.LastTransitionTime)).ToList();
        return new AgentView(CatalogFilter.ServedNamespace(item, storeNamespace), item.Name, Protocol(item), Endpoint(item), Lifecycle(item),
            card, capabilities, conditions, Reach(item));
    }

    /// <summary>
    /// How to call the agent: an A2A agent by the interfaces its card declares, an MCP server at its endpoint (the
    /// URL the crawler spoke Streamable HTTP to), the authentication the card declares, and — for a protected
    /// server too — who grants access.
    /// </summary>
    public static AgentReach Reach(StoredEntry item)
    {
        var capabilities = item.Entry?.Status.Capabilities ?? [];
        var interfaces = capabilities.Where(c => c.Kind == CapabilityKinds.A2aInterface && c.Properties.ContainsKey("url"))
            .Select(c => new A2aInterfaceView(c.Properties["url"], c.Properties.GetValueOrDefault("transport"), c.Properties.GetValueOrDefault("protocolVersion"), c.Properties.GetValueOrDefault("tenant")))
            .ToList();
        var mcp = item.Entry?.Spec.Protocol == Domain.Protocol.Mcp && Endpoint(item) is { } url ? new McpRemoteView(url, StreamableHttp) : null;
        var schemes = capabilities.Where(c => c.Kind == CapabilityKinds.A2aSecurityScheme)
            .Select(c => new AuthSchemeView(c.Name, c.Properties.GetValueOrDefault("type"), c.Properties.GetValueOrDefault("scheme"), c.Properties.GetValueOrDefault("in"),
                c.Properties.GetValueOrDefault("parameter"), c.Properties.GetValueOrDefault("openIdConnectUrl"), c.Description))
            .ToList();
        // A requirement is named "a + b" by the card parser; its scopes are the properties "scopes.<scheme>".
        var required = capabilities.Where(c => c.Kind == CapabilityKinds.A2aSecurityRequirement)
            .Select(c => new AuthRequirementView(
                c.Name.Split(" + ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                c.Properties.Where(p => p.Key.StartsWith("scopes.", StringComparison.Ordinal)).ToDictionary(p => p.Key["scopes.".Length..], p => p.Value, StringComparer.Ordinal)))
            .ToList();
        return new AgentReach(interfaces, mcp, new AgentAuthentication(schemes, required), AuthorizationView.Of(AccessSummary.Of(item.Entry)));
    }

    private static string? Protocol(StoredEntry item) => item.Entry?.Spec.Protocol.ToWire() ?? item.Labels.GetValueOrDefault(Annotations.ProtocolLabel);

    private static string? Lifecycle(StoredEntry item) => item.Entry?.Status.Lifecycle.ToString() ?? item.Labels.GetValueOrDefault(Annotations.LifecycleLabel);

    private static string? Endpoint(StoredEntry item) => item.Entry?.Spec.Endpoint ?? item.Endpoint;

    private static string? Source(SourceRef? source) => source switch
    {
        { Type: SourceType.Kubernetes } s => $"kubernetes:{s.Namespace}/{s.Name}",
        { } s => $"{s.Type.ToWire()}:{s.Name}",
        null => null,
    };
}
