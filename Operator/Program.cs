using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Mcp;
using AgentLens.Operator.Api.Registry;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Api.Ui;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;

// AgentLens Operator: finds AI agents in the cluster, fetches their cards and keeps a catalog of them.
if (OperatorOptionsRegistration.WantsHelp(args))
{
    await Console.Out.WriteAsync(OperatorOptionsRegistration.Help());
    return 0;
}

if (!OperatorOptionsRegistration.TryNormalizeArgs(args, out var operatorArgs, out var argError))
{
    await Console.Error.WriteLineAsync($"agentlens-operator: {argError}");
    return OperatorHost.ExitInvalidConfiguration;
}

Duration.RegisterForConfigurationBinding();
var builder = WebApplication.CreateSlimBuilder([.. operatorArgs]);

builder.AddOperatorOptions(operatorArgs);   // Hosting/OperatorOptions.cs: every option, validated at start-up; Hosting/ComponentOptions.cs hands each component its own
builder.AddKubernetesAccess();              // Hosting/KubernetesClientFactory.cs: in-cluster or kubeconfig
builder.AddDiscovery();                     // Hosting/OperatorServices.cs: Sources, Crawling, Cards
builder.Services.AddCatalog();              // Catalog/CatalogServices.cs: the store, Events, the catalog cache and its Lease view
builder.AddFederation();                    // Hosting/FederationServices.cs: with --federation, a hub: member clusters' agenttypes merged into the catalog feed (Catalog/Federation/FederationHub.cs)
builder.AddReconciliation();                // Hosting/OperatorServices.cs: the reconciler, run by Hosting/DiscoveryLoop.cs, Hosting/EventTrigger.cs and Hosting/FreshnessLoop.cs through one Hosting/CycleGate.cs
builder.AddOperatorEndpoints();             // Hosting/OperatorEndpoints.cs: /metrics :8080, /healthz /readyz :8081, and the APIs' listeners
builder.AddCatalogApi();                    // Api/CatalogApi.cs: list and watch the catalog over HTTP/SSE :8082 (Api/ApiOptions.cs)
builder.AddCatalogMcp();                    // Api/Mcp/CatalogMcp.cs: the catalog as an MCP server at /mcp on the catalog API's listener (tools in Api/Mcp/CatalogTools.cs)
builder.AddAgentTypeApi();                  // Api/AgentTypeApi.cs: agentlens.io/v1alpha1 AgentTypes for the aggregation layer :8443 (Api/AggregatedApiOptions.cs)
builder.AddRegistryApi();                   // Api/Registry/RegistryApi.cs: the MCP Registry API v0.1 for IDEs, off unless --registry-bind-address (Api/Registry/RegistryOptions.cs)
builder.AddAgentSearch();                   // Api/Search/SearchApi.cs: the catalog's full-text index (Lucene, BM25) and GET /api/v1/search on the catalog API's listener
builder.AddCatalogUi();                     // Api/Ui/CatalogUi.cs: the catalog page at /ui/ and GET /api/v1/status (Api/Ui/OperatorStatusApi.cs) on the catalog API's listener
builder.ConnectReaders();                   // Hosting/CatalogView.cs: both APIs read the catalog feed through Api/ICatalogView.cs
builder.AddOperatorLogging();               // Hosting/OperatorLogging.cs: text or JSON console, [LoggerMessage] methods in Log.cs

return await OperatorHost.RunAsync(builder, app =>
{
    app.MapOperatorEndpoints();
    app.MapCatalogApi();
    app.MapCatalogMcp();
    app.MapAgentSearch();
    app.MapCatalogUi();
    app.MapAgentTypeApi();
    app.MapRegistryApi();
});
