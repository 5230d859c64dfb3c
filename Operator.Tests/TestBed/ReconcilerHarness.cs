using AgentLens.Operator.Catalog;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Hosting;
using AgentLens.Operator.Reconciliation;
using AgentLens.Operator.Sources;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// A reconciler wired as the operator wires it — the ConfigMap store on the real API server, the real
/// Kubernetes and static sources, the real crawler — on a fake clock the test advances.
/// </summary>
internal sealed class ReconcilerHarness : IDisposable
{
    private readonly CrawlerHarness crawler;

    private ReconcilerHarness(ControlPlane cp, string storeNamespace, string servicesNamespace, IKubernetes client, Action<OperatorOptions>? configure, ISignatureVerifier? crawlVerifier, ICredentialReader? credentials)
    {
        StoreNamespace = storeNamespace;
        ServicesNamespace = servicesNamespace;
        StaticPath = Path.Combine(Path.GetTempPath(), $"agentlens-static-{Guid.NewGuid():N}.yaml");
        Options = new OperatorOptions { Namespaces = [servicesNamespace], StaticSourcesPath = StaticPath, OfflineAfterFailures = 3, Retention = TimeSpan.FromHours(24) };
        configure?.Invoke(Options);
        Store = new ConfigMapCatalogStore(client, storeNamespace, Options.Store.StoreRawCard);
        crawler = new CrawlerHarness(c =>
        {
            c.Timeout = TimeSpan.FromSeconds(2);
            c.AllowCidrs = Options.Crawl.AllowCidrs.Count > 0 ? Options.Crawl.AllowCidrs : c.AllowCidrs;
            c.AgentBudget = Options.Crawl.AgentBudget;
            c.CycleBudget = Options.Crawl.CycleBudget;
        }, Options.Trust, crawlVerifier, credentials);
        var metrics = Metrics = TestMeterFactory.NewMetrics();
        Freshness = new FreshnessSchedule(Options.Reconcile(), Clock);
        Reconciler = new Reconciler(
            Store,
            [
                new KubernetesServiceSource(new KubernetesServiceLister(client), Options.Sources(), metrics, Logs.For<KubernetesServiceSource>()),
                new StaticFileSource(Options.Sources(), metrics, Logs.For<StaticFileSource>()),
            ],
            crawler.Crawler,
            new KubernetesEventRecorder(cp.Client, Clock, metrics, Logs.For<KubernetesEventRecorder>()),
            metrics,
            Clock,
            Options.Reconcile(),
            Logs.For<Reconciler>(),
            crawler.Verifier,
            freshness: Freshness);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    public CapturedLogs Logs { get; } = new();
    public Metrics Metrics { get; }

    /// <summary>Which MCP entries are due for re-introspection, on the harness's clock.</summary>
    public FreshnessSchedule Freshness { get; }
    public OperatorOptions Options { get; }
    public string StoreNamespace { get; }
    public string ServicesNamespace { get; }
    public string StaticPath { get; }
    public ConfigMapCatalogStore Store { get; }
    public Reconciler Reconciler { get; }

    /// <param name="crawlVerifier">What checks A2A cards' signatures during the crawl, instead of the real one.</param>
    /// <param name="credentials">What reads the credentials Secrets Services name (with <c>Crawl.CredentialsSecrets</c> on).</param>
    public static async Task<ReconcilerHarness> CreateAsync(ControlPlane cp, Action<OperatorOptions>? configure = null, IKubernetes? client = null, string? storeNamespace = null, string? servicesNamespace = null,
        ISignatureVerifier? crawlVerifier = null, ICredentialReader? credentials = null)
    {
        storeNamespace ??= await TestNamespaces.CreateAsync(cp.Client, "catalog");
        servicesNamespace ??= await TestNamespaces.CreateAsync(cp.Client, "agents");
        return new ReconcilerHarness(cp, storeNamespace, servicesNamespace, client ?? cp.Client, configure, crawlVerifier, credentials);
    }

    public Task<CycleReport> CycleAsync() => Reconciler.RunOnceAsync(CancellationToken.None);

    /// <summary>What the freshness loop does once: the entries due now, introspected again; null when none is due.</summary>
    public async Task<TargetedReport?> RefreshDueAsync()
    {
        var (due, _) = Freshness.TakeDue();
        return due.Count == 0 ? null : await Reconciler.RefreshAsync(due, CancellationToken.None);
    }

    /// <summary>Lists one static MCP agent at <paramref name="url"/>.</summary>
    public Task WriteStaticMcpAsync(string name, string url) =>
        File.WriteAllTextAsync(StaticPath, $"sources:\n  - {{name: {name}, type: mcp, url: '{url}'}}\n");

    /// <summary>Lists the static agents: (name, base URL) pairs, all A2A.</summary>
    public Task WriteStaticAsync(params (string Name, string Url)[] agents) =>
        File.WriteAllTextAsync(StaticPath, "sources:\n" + string.Concat(agents.Select(a => $"  - {{name: {a.Name}, type: a2a, url: '{a.Url}'}}\n")));

    /// <summary>Announces a loopback agent as a platform team would: an annotated ExternalName Service.</summary>
    public Task AnnounceAsync(IKubernetes client, string serviceName, string agentBaseUrl) =>
        client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = serviceName,
                Annotations = new Dictionary<string, string>
                {
                    ["agentlens.io/type"] = "a2a",
                    ["agentlens.io/port"] = new Uri(agentBaseUrl).Port.ToString(CultureInfo.InvariantCulture),
                },
            },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1" },
        }, ServicesNamespace);

    public async Task<Dictionary<string, StoredEntry>> EntriesAsync() =>
        (await Store.ListAsync(CancellationToken.None)).ToDictionary(e => e.Name);

    public async Task<StoredEntry> SingleAsync() => (await Store.ListAsync(CancellationToken.None)).Single();

    public void Dispose()
    {
        crawler.Dispose();
        File.Delete(StaticPath);
    }
}
