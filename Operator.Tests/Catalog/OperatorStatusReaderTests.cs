using AgentLens.Operator.Catalog;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// The stored operator status read back on the real API server: what the store wrote, a sentence (never an
/// exception) when there is none or it is not a JSON object, and one GET per freshness window however many ask.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class OperatorStatusReaderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private ControlPlane cp = null!;
    private string ns = null!;
    private FakeTimeProvider clock = null!;
    private OperatorStatusReader reader = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    [SetUp]
    public async Task NewNamespace()
    {
        ns = await TestNamespaces.CreateAsync(cp.Client, "status");
        clock = new FakeTimeProvider(T0);
        reader = new OperatorStatusReader(cp.Client, new StoreNamespace(ns), clock);
    }

    private static OperatorStatus Status(string result) => new()
    {
        LastCycleTime = T0,
        LastCycleSeconds = 0.5,
        Result = result,
        Sources = [new SourceStatus("kubernetes", true, 3, null, null)],
        Counts = new CycleCounts { Entries = 3 },
    };

    [Test]
    public async Task Before_any_cycle_it_says_so()
    {
        var text = await reader.ReadAsync(CancellationToken.None);

        Assert.That(text.Json, Is.Null);
        Assert.That(text.Problem, Is.EqualTo($"no cycle has finished yet: ConfigMap {ns}/agentlens-status does not exist"));
    }

    [Test]
    public async Task It_reads_what_the_store_wrote_and_reads_again_only_once_stale()
    {
        var store = new ConfigMapCatalogStore(cp.Client, ns, storeRawCard: false);
        await store.WriteStatusAsync(Status("success"), CancellationToken.None);
        var first = await reader.ReadAsync(CancellationToken.None);

        await store.WriteStatusAsync(Status("partial"), CancellationToken.None);
        var cached = await reader.ReadAsync(CancellationToken.None);
        clock.Advance(OperatorStatusReader.Fresh);
        var fresh = await reader.ReadAsync(CancellationToken.None);

        Assert.That(first.Json, Does.Contain("\"result\":\"success\"").And.Contain("\"name\":\"kubernetes\""));
        Assert.That(cached.Json, Is.EqualTo(first.Json), "within the freshness window the kept read is served");
        Assert.That(fresh.Json, Does.Contain("\"result\":\"partial\""));
    }

    [TestCase("not json <script>")]
    [TestCase("[1,2,3]")]
    public async Task A_status_someone_overwrote_with_something_else_is_a_problem_not_an_error(string data)
    {
        await cp.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = CatalogNames.StatusConfigMap },
            Data = new Dictionary<string, string> { [CatalogNames.StatusKey] = data },
        }, ns);

        var text = await reader.ReadAsync(CancellationToken.None);

        Assert.That(text.Json, Is.Null);
        Assert.That(text.Problem, Is.EqualTo($"ConfigMap {ns}/agentlens-status holds no readable status.json"), "what is stored is not echoed");
    }
}
