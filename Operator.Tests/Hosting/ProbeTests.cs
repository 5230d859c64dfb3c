using System.Net;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Hosting;

/// <summary>Each path on its own listener, as kubebuilder lays them out.</summary>
[TestFixture]
[Category("Integration")]
public sealed class ProbeTests
{
    [Test]
    public async Task Probes_AnswerOnTheProbePort_AndOnlyThere()
    {
        var cp = await ControlPlane.SharedAsync();
        var ns = await TestNamespaces.CreateAsync(cp.Client, "probes");
        var probes = Tools.FreePort();
        var metrics = Tools.FreePort();
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none",
            "--health-probe-bind-address", $"127.0.0.1:{probes}", "--metrics-bind-address", $"127.0.0.1:{metrics}");

        async Task<HttpStatusCode> Get(int port, string path)
        {
            using var response = await op.Http.GetAsync($"http://127.0.0.1:{port}{path}");
            return response.StatusCode;
        }

        Assert.That(await Get(probes, "/healthz"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Get(probes, "/readyz"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Get(metrics, "/metrics"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Get(probes, "/metrics"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Get(metrics, "/healthz"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Get(op.Port, "/healthz"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Get(probes, "/api/v1/agents"), Is.EqualTo(HttpStatusCode.NotFound));
    }
}
