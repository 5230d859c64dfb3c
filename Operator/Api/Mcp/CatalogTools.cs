using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentLens.Operator.Api.Mcp;

/// <summary>
/// The catalog's MCP tools. Each reads what the caller's <see cref="CatalogReader"/> (set by the API's
/// authenticator for this request) may see, exactly as the HTTP API and <c>kubectl get agt</c> would show it.
/// Bad arguments and unknown entries are tool errors (<c>isError</c>) the calling model can read and correct;
/// nothing is thrown at the protocol.
/// </summary>
[McpServerToolType]
internal sealed class CatalogTools(IHttpContextAccessor http, ICatalogView cache, StoreNamespace store, IServiceProvider services)
{
    public const int MaxLimit = 100;
    private const int DefaultLimit = 10;

    [McpServerTool(Name = "search_agents", Title = "Search agents", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(SearchAgentsResult))]
    [Description("Finds agents (A2A agents and MCP servers) in the cluster's catalog by what they do, best first, with how to reach each one: its A2A interfaces or MCP URL, the authentication it declares, and whether it needs a token and from which authorization server.")]
    public async Task<CallToolResult> SearchAgentsAsync(
        [Description("What the agent should do, in words or keywords; supports AND, OR, NOT, \"phrases\", prefix* and field terms (skill:, tool:, tag:, team:, protocol:, name:, namespace:).")] string query,
        [Description("Only agents of this protocol: a2a, mcp or a2ui.")] string? protocol = null,
        [Description("Only agents of this Kubernetes namespace.")] string? @namespace = null,
        [Description("At most this many agents, 1 to 100 (default 10).")] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        if (protocol is not null && !ProtocolNames.TryParse(protocol, out _))
        {
            return Error($"protocol must be a2a, mcp or a2ui, not '{Sample(protocol)}'");
        }

        var filter = new CatalogFilter { Protocol = protocol };
        if (!string.IsNullOrEmpty(@namespace))
        {
            // The namespace an entry is served in (a push entry's is the store's), as kubectl get agt -n shows it.
            filter = filter with { Requirements = [e => CatalogFilter.ServedNamespace(e, store.Name) == @namespace] };
        }

        return await SearchAsync(query, filter, limit, McpToolsJsonContext.Default.SearchAgentsResult,
            results => new SearchAgentsResult(results.Query, results.Total, [.. results.Items.Select(h => McpViews.Hit(h, store.Name))]), cancellationToken);
    }

    [McpServerTool(Name = "find_tools", Title = "Find tools and skills", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(FindToolsResult))]
    [Description("Finds individual MCP tools and A2A skills in the cluster's catalog by what they do, each with the agent that offers it.")]
    public async Task<CallToolResult> FindToolsAsync(
        [Description("What the tool or skill should do, in words or keywords (the same syntax as search_agents).")] string query,
        [Description("At most this many tools, 1 to 100 (default 10).")] int? limit = null,
        CancellationToken cancellationToken = default) =>
        await SearchAsync(query, CatalogFilter.All, limit, McpToolsJsonContext.Default.FindToolsResult,
            results => new FindToolsResult(results.Query, [.. results.Items.SelectMany(h => McpViews.Tools(h, store.Name)).Take(limit ?? DefaultLimit)]), cancellationToken);

    [McpServerTool(Name = "get_agent", Title = "Get an agent", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(AgentView))]
    [Description("Gets one catalog entry by namespace and name (as search_agents and find_tools return them): its card summary, capabilities, conditions, lifecycle and how to reach it.")]
    public async Task<CallToolResult> GetAgentAsync(
        [Description("The entry's Kubernetes namespace.")] string @namespace,
        [Description("The entry's name.")] string name,
        CancellationToken cancellationToken = default)
    {
        if (Reader() is not { } reader)
        {
            return Error(NoReader);
        }

        if (!await cache.WaitSyncedAsync(cancellationToken))
        {
            return Error(ICatalogView.NotSyncedMessage);
        }

        // An entry the caller may not see is answered as one that does not exist: its name tells nothing.
        var item = cache.Get(name);
        return item is null || CatalogFilter.ServedNamespace(item, store.Name) != @namespace || !reader.Visibility.Sees(item, store.Name)
            ? Error($"no catalog entry named '{Sample(name)}' in namespace '{Sample(@namespace)}'")
            : Ok(McpViews.Agent(item, store.Name), McpToolsJsonContext.Default.AgentView);
    }

    private const string NoReader = "the request carries no caller: the catalog's MCP tools are served only at /mcp on the catalog API";

    private async Task<CallToolResult> SearchAsync<T>(string query, CatalogFilter filter, int? limit, JsonTypeInfo<T> type, Func<SearchResults, T> view, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Error($"limit must be between 1 and {MaxLimit}, not {limit}");
        }

        if (Reader() is not { } reader)
        {
            return Error(NoReader);
        }

        // The index is its own component; an operator without it still serves get_agent.
        if (services.GetService<IAgentSearch>() is not { } search)
        {
            return Error("search is not available on this operator; get_agent still works");
        }

        if (!await cache.WaitSyncedAsync(cancellationToken))
        {
            return Error(ICatalogView.NotSyncedMessage);
        }

        try
        {
            var results = search.Search(query ?? string.Empty, reader.Visibility.Narrow(filter, store.Name), limit ?? DefaultLimit);
            return Ok(view(results), type);
        }
        catch (SearchQueryException e)
        {
            return Error(e.Message);
        }
    }

    /// <summary>The authenticator runs before every /mcp request; without an HTTP request there is no caller, and nothing is shown.</summary>
    private CatalogReader? Reader() => http.HttpContext is { } context
        ? context.Items[CatalogReader.Key] as CatalogReader ?? CatalogReader.Open
        : null;

    // The structured result, and the same JSON as text for clients that read only content blocks (as the spec advises).
    private static CallToolResult Ok<T>(T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToElement(value, type);
        return new CallToolResult { StructuredContent = json, Content = [new TextContentBlock { Text = json.GetRawText() }] };
    }

    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    // Arguments come from a model or a stranger: quoted back short, and only printable characters.
    private static string Sample(string value)
    {
        var printable = new string([.. value.Take(64).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
        return value.Length > 64 ? printable + "…" : printable;
    }
}
