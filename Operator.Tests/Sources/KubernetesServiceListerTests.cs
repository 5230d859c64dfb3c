using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Sources;

[TestFixture]
[Category("Integration")]
public sealed class KubernetesServiceListerTests
{
    [Test]
    public async Task ListAsync_ReadsBackAnAnnotatedServiceFromTheRealApiServer()
    {
        var cp = await ControlPlane.SharedAsync();
        var ns = await TestNamespaces.CreateAsync(cp.Client, "lister");
        await cp.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "weather", Annotations = new Dictionary<string, string> { ["agentlens.io/type"] = "a2a" } },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 8080 }] },
        }, ns);
        var lister = new KubernetesServiceLister(cp.Client);

        var page = await lister.ListAsync(ns, labelSelector: null, limit: 10, continueToken: null, CancellationToken.None);

        Assert.That(page.Items, Has.Count.EqualTo(1));
        Assert.That(page.Items[0].Metadata.Annotations["agentlens.io/type"], Is.EqualTo("a2a"));
        Assert.That(page.Continue, Is.Null);
    }
}
