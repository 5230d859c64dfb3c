using AgentLens.Operator.Api;
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

builder.AddOperatorOptions(operatorArgs);   // Hosting/OperatorOptions.cs — every option, validated at start-up
builder.AddKubernetesAccess();              // Hosting/KubernetesClientFactory.cs — in-cluster or kubeconfig
builder.AddDiscovery();                     // Sources → Crawling → Cards
builder.AddCatalog();                       // Catalog ← Reconciliation, run by Hosting/DiscoveryLoop.cs
builder.AddOperatorEndpoints();             // Hosting/OperatorEndpoints.cs — /metrics :8080, /healthz /readyz :8081
builder.AddCatalogApi();                    // Api/CatalogApi.cs — list and watch the catalog over HTTP/SSE :8082
builder.AddAgentTypeApi();                  // Api/AgentTypeApi.cs — agentlens.io/v1alpha1 AgentTypes for the aggregation layer :8443
builder.AddOperatorLogging();               // Log.cs — text or JSON console

var app = builder.Build();
app.MapOperatorEndpoints();
app.MapCatalogApi();
app.MapAgentTypeApi();
return await OperatorHost.RunAsync(app);
