namespace AgentLens.Operator.Tests.TestBed;

/// <summary>Every test works in namespaces of its own, so tests share one API server without seeing each other.</summary>
internal static class TestNamespaces
{
    private static int counter;

    public static async Task<string> CreateAsync(IKubernetes client, string prefix)
    {
        var name = $"{prefix}-{Environment.ProcessId % 10000}-{Interlocked.Increment(ref counter)}-{Random.Shared.Next(1000, 9999)}";
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }
}
