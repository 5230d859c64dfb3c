using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// Whoever may write one catalog ConfigMap (an agent with the self-registration Role, or someone tampering
/// with an operator-written entry) gets that entry refused — a problem on it alone, never their text
/// echoed back — and nothing thrown out of <see cref="ConfigMapCatalogStore.Read"/>.
/// </summary>
[TestFixture]
public sealed class HostileEntryTests
{
    private const string Hostile = "HOSTILE-7f3a";

    private const string Head = """{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"p"},"spec":{"protocol":"a2a","endpoint":"https://p.example","source":{"type":"push","name":"p"}}""";

    private static V1ConfigMap Push(string json, bool push = true)
    {
        var configMap = PushEntries.Build("p");
        configMap.Metadata.ResourceVersion = "3";
        if (!push)
        {
            configMap.Metadata.Labels["agentlens.io/source"] = "kubernetes";
        }

        configMap.Data["agenttype.json"] = json;
        return configMap;
    }

    [TestCase(Head + ""","status":{"offlineSince":"HOSTILE-7f3a"}}""")]
    [TestCase(Head + ""","status":{"capabilities":[null]}}""")]
    [TestCase(Head + ""","status":{"conditions":[null]}}""")]
    [TestCase(Head + ""","status":{"conditions":[{"type":null,"status":"True","reason":"r","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""")]
    [TestCase(Head + ""","status":{"conditions":[{"type":"t","status":"True","reason":"r","lastTransitionTime":"HOSTILE-7f3a"}]}}""")]
    [TestCase(Head + ""","status":{"conditions":[{"type":"t","status":"True","reason":"r","lastTransitionTime":12}]}}""")]
    [TestCase(Head + ""","status":{"capabilities":[{"kind":null,"name":"x"}]}}""")]
    [TestCase(Head + ""","status":{"capabilities":[{"kind":"a2a.skill","name":"x","tags":[null]}]}}""")]
    [TestCase(Head + ""","status":{"capabilities":[{"kind":"a2a.skill","name":"x","properties":{"HOSTILE-7f3a":5}}]}}""")]
    [TestCase(Head + ""","status":{"capabilities":[{"kind":"a2a.skill","name":"x","properties":{"HOSTILE-7f3a":null}}]}}""")]
    [TestCase(Head + ""","status":{"lifecycle":99}}""")]
    [TestCase(Head + ""","status":{"consecutiveFailures":1e300}}""")]
    [TestCase(Head + ""","status":{"consecutiveFailures":-5}}""")]
    [TestCase(Head + ""","status":{"offlineSince":"9999-12-31T23:59:59-05:00"}}""")]
    [TestCase(Head + ""","status":{"offlineSince":"0001-01-01T00:00:00Z"}}""")]
    [TestCase(Head + ""","status":{"offlineSince":"9999-12-31T23:59:59Z"}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":null,"spec":{"protocol":"a2a","endpoint":"https://p.example","source":{"type":"push","name":"p"}}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":null},"spec":{"protocol":"a2a","endpoint":"https://p.example","source":{"type":"push","name":"p"}}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"p"},"spec":{"protocol":7,"endpoint":"https://p.example","source":{"type":"push","name":"p"}}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"p"},"spec":{"protocol":"a2a","endpoint":"https://p.example","source":{"type":9,"name":null}}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"p"},"spec":{"protocol":"a2a","endpoint":"https://p.example","source":{"type":"push","name":"p"},"tags":[null]}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"HOSTILE-7f3a","metadata":{"name":"p"},"spec":{"protocol":"a2a","endpoint":"https://p.example","source":{"type":"push","name":"p"}}}""")]
    [TestCase("""{"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"p"},"spec":{"protocol":"a2a","endpoint":"HOSTILE-7f3a","source":{"type":"push","name":"p"}}}""")]
    [TestCase("""{"HOSTILE-7f3a""")]
    [TestCase("""[1,2,"HOSTILE-7f3a"]""")]
    [TestCase("null")]
    public void MalformedEntry_IsThatEntrysProblem_WithoutEchoingIt(string json)
    {
        foreach (var push in new[] { true, false })
        {
            StoredEntry read = null!;
            Assert.DoesNotThrow(() => read = ConfigMapCatalogStore.Read(Push(json, push)), $"push={push}");

            Assert.That(read.Problem, Is.Not.Null, $"push={push}: refused");
            Assert.That(read.Entry, Is.Null, "never served");
            Assert.That(read.Problem, Does.Not.Contain(Hostile).And.Not.Contain("not-a-time"), "never echoed");
            Assert.That(read.Name, Is.EqualTo("p"));
            Assert.That(read.IsPush, Is.EqualTo(push));
        }
    }

    [Test]
    public void ValidPushEntry_StillReads()
    {
        var read = ConfigMapCatalogStore.Read(Push(Head + ""","status":{"lifecycle":"Active","offlineSince":"2026-01-01T00:00:00Z","capabilities":[{"kind":"a2a.skill","name":"x","properties":{"a":"b"}}]}}"""));

        Assert.That(read.Problem, Is.Null);
        Assert.That(read.Entry!.Status.Capabilities.Single().Properties["a"], Is.EqualTo("b"));
    }

    [Test]
    public void ConfigMapWithNullsInItsMetadataAndData_DoesNotThrow()
    {
        var configMap = Push(Head + "}");
        configMap.Metadata.Labels = new Dictionary<string, string> { ["agentlens.io/source"] = null!, ["x"] = "y" };
        configMap.Metadata.Annotations = new Dictionary<string, string> { [Annotations.Lease] = null!, [Annotations.Endpoint] = null! };
        configMap.Data = new Dictionary<string, string> { ["agenttype.json"] = null! };

        var read = ConfigMapCatalogStore.Read(configMap);

        Assert.That(read.Problem, Is.Not.Null);
        Assert.That(LeaseLiveness.LeaseName(read), Is.Null);
        Assert.DoesNotThrow(() => ConfigMapCatalogStore.Read(new V1ConfigMap()));
        Assert.DoesNotThrow(() => ConfigMapCatalogStore.Read(new V1ConfigMap { Metadata = new V1ObjectMeta() }));
    }
}
