using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Registry;
using AgentLens.Operator.Api.Search;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// The registry API in-process on a loopback port, reading a real <see cref="CatalogFeed"/> the test fills by
/// hand, on a fake clock (the times it serves are the test's); authentication through the real API server
/// when given one, else <c>--api-auth none</c>.
/// </summary>
internal sealed class RegistryBed : IAsyncDisposable
{
    public const string Store = "catalog";
    private readonly WebApplication app;
    private int resourceVersion;

    private RegistryBed(WebApplication app, FakeTimeProvider clock, CatalogFeed feed)
    {
        this.app = app;
        Clock = clock;
        Feed = feed;
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/');
    }

    public FakeTimeProvider Clock { get; }
    public CatalogFeed Feed { get; }
    public string BaseUrl { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public PublicNamespaces PublicView => app.Services.GetRequiredService<PublicNamespaces>();

    /// <summary>Starts the registry; <paramref name="client"/> null: no API server, <c>--api-auth none</c>; <paramref name="search"/>: with the catalog search index, as the operator runs.</summary>
    public static async Task<RegistryBed> StartAsync(IKubernetes? client = null, RegistryOptions? options = null, IReadOnlyList<string>? sourceNamespaces = null, Action<CatalogFeed>? fill = null, bool search = false)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
        var feed = new CatalogFeed(new CacheOptions { HistorySize = 1000, WatcherBuffer = 10_000, HistoryAge = TimeSpan.FromHours(1) }, clock);
        fill?.Invoke(feed);
        feed.MarkSynced();
        options ??= new RegistryOptions();
        options.BindAddress = "127.0.0.1:0";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => Listeners.Tag(l, RegistryApi.Listener)));
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(client ?? new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
        builder.Services.AddSingleton(new ApiOptions { Auth = client is null ? "none" : "kubernetes" });
        builder.Services.AddSingleton(new AggregatedApiOptions());
        builder.Services.AddSingleton(new StoreNamespace(Store));
        builder.Services.AddSingleton(new SourceOptions { Namespaces = sourceNamespaces ?? [] });
        builder.Services.AddSingleton(TestMeterFactory.NewMetrics());
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ICatalogView>(new CatalogView(feed));
        builder.AddCatalogApi();
        builder.AddRegistryApi();
        if (search)
        {
            builder.AddAgentSearch();
        }

        var app = builder.Build();
        app.MapRegistryApi();
        await app.StartAsync();
        return new RegistryBed(app, clock, feed);
    }

    /// <summary>An MCP entry discovered from a Service in <paramref name="ns"/> (its card says the rest).</summary>
    public StoredEntry Mcp(string name, string ns = "team-a", string? cardName = null, string? description = null, string? version = "1.0.0",
        Lifecycle lifecycle = Lifecycle.Active, string? endpoint = null, Protocol protocol = Protocol.Mcp)
    {
        var entry = new AgentType
        {
            Metadata = new AgentMetadata { Name = name, Namespace = Store },
            Spec = new AgentSpec
            {
                Protocol = protocol,
                Endpoint = endpoint ?? $"http://{name}.{ns}.svc.cluster.local:8080/mcp",
                Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name },
            },
            Status = new AgentStatus
            {
                Lifecycle = lifecycle,
                DisplayName = cardName ?? $"{name} server",
                Description = description ?? $"Tools of {name}",
                Version = version,
                Provider = new Provider(null, "https://github.com/example/" + name),
                Capabilities = [new Capability { Kind = CapabilityKinds.McpTool, Name = "lookup" }],
                Conditions = [new Condition { Type = ConditionTypes.Discovered, Status = ConditionStatus.True, Reason = "Found", LastTransitionTime = Clock.GetUtcNow().AddHours(-1) }],
                OfflineSince = lifecycle == Lifecycle.Offline ? Clock.GetUtcNow() : null,
            },
        };
        return new StoredEntry
        {
            Name = name,
            Namespace = Store,
            ResourceVersion = Interlocked.Increment(ref resourceVersion).ToString(CultureInfo.InvariantCulture),
            IsPush = false,
            Entry = entry,
            Json = JsonSerializer.Serialize(entry.Status.Description + lifecycle + version + cardName),
        };
    }

    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string pathAndQuery, string? token = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, BaseUrl + pathAndQuery);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>Reads <paramref name="pathAndQuery"/> until <paramref name="done"/> holds (the view follows the feed on its own time).</summary>
    public Task<string> UntilAsync(string pathAndQuery, Func<string, bool> done, string? token = null) =>
        Poll.UntilAsync(async () => (await GetAsync(pathAndQuery, token)).Body, done, seconds: 20);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
