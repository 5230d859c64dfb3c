using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>What a hostile tenant does in these tests: annotate Services; and where we look for what leaked.</summary>
internal static class Tenant
{
    /// <summary>A unique string a stand-in internal service puts in its body; it must never surface anywhere.</summary>
    public static string Secret() => $"INTERNAL-SECRET-{Guid.NewGuid():N}";

    /// <summary>An internal service's answer: a perfectly good card, so that only the defences keep it out.</summary>
    public static LoopbackServer InternalService(string secret, string address = "127.0.0.2") =>
        new((_, stream, ct) => LoopbackServer.Respond(stream, 200, SwitchableAgent.Card(secret, secret), ct: ct), address);

    public static async Task<V1Service> AnnounceAsync(IKubernetes client, string ns, string name, string externalName, int port, Dictionary<string, string>? annotations = null)
    {
        var all = new Dictionary<string, string>
        {
            ["agentlens.io/type"] = "a2a",
            ["agentlens.io/port"] = port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in annotations ?? [])
        {
            all[key] = value;
        }

        return await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = all },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = externalName },
        }, ns);
    }

    /// <summary>The Events recorded about one object, oldest first.</summary>
    public static async Task<List<Corev1Event>> EventsAboutAsync(IKubernetes client, string ns, string name) =>
        [.. (await client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject?.Name == name).OrderBy(e => e.Metadata.CreationTimestamp)];

    /// <summary>Asserts that <paramref name="secret"/> is in no ConfigMap or Event of the namespaces and in no log line.</summary>
    public static async Task AssertNowhereAsync(IKubernetes client, string secret, CapturedLogs logs, params string[] namespaces)
    {
        foreach (var ns in namespaces)
        {
            foreach (var configMap in (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items)
            {
                var text = string.Join("\n", (configMap.Data ?? new Dictionary<string, string>()).Values.Concat(configMap.Metadata.Annotations?.Values ?? []));
                Assert.That(text, Does.Not.Contain(secret), $"ConfigMap {ns}/{configMap.Metadata.Name}");
            }

            foreach (var ev in (await client.CoreV1.ListNamespacedEventAsync(ns)).Items)
            {
                Assert.That(ev.Message ?? string.Empty, Does.Not.Contain(secret), $"Event {ns}/{ev.Metadata.Name} ({ev.Reason})");
            }
        }

        Assert.That(logs.Lines, Has.None.Contains(secret), "log lines");
    }
}
