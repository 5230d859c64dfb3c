namespace AgentLens.Operator.Tests.TestBed;

/// <summary>Catalog entries a test writes directly (as push entries, so the operator's own cycles leave them be).</summary>
internal static class PushEntries
{
    public static V1ConfigMap Build(string name, string team = "wx", string protocol = "a2a", string lifecycle = "Active", string skill = "forecast", string description = "") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string>
            {
                ["agentlens.io/catalog"] = "entry",
                ["agentlens.io/source"] = "push",
                ["agentlens.io/protocol"] = protocol,
                ["agentlens.io/team"] = team,
                ["agentlens.io/lifecycle"] = lifecycle,
            },
        },
        Data = new Dictionary<string, string>
        {
            ["agenttype.json"] = $$$"""
                {"apiVersion":"agentlens.io/v1alpha1","kind":"AgentType","metadata":{"name":"{{{name}}}"},
                 "spec":{"protocol":"{{{protocol}}}","endpoint":"https://{{{name}}}.example","source":{"type":"push","name":"{{{name}}}"},"team":"{{{team}}}","tags":["t1"]},
                 "status":{"lifecycle":"{{{lifecycle}}}","displayName":"{{{name}}}","description":"{{{description}}}","capabilities":[{"kind":"a2a.skill","name":"{{{skill}}}"}]}}
                """,
        },
    };

    public static Task<V1ConfigMap> CreateAsync(IKubernetes client, string ns, string name, string team = "wx", string protocol = "a2a", string lifecycle = "Active", string skill = "forecast") =>
        client.CoreV1.CreateNamespacedConfigMapAsync(Build(name, team, protocol, lifecycle, skill), ns);

    public static async Task<V1ConfigMap> UpdateAsync(IKubernetes client, string ns, string name, string team = "wx", string protocol = "a2a", string lifecycle = "Active", string skill = "forecast", string description = "")
    {
        var current = await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns);
        var next = Build(name, team, protocol, lifecycle, skill, description);
        current.Metadata.Labels = next.Metadata.Labels;
        current.Data = next.Data;
        return await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, name, ns);
    }
}
