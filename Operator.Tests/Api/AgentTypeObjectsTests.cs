using System.Text.Json.Nodes;
using AgentLens.Operator.Api;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api;

/// <summary>The AgentType API's pure rules: which namespace an entry is served in, selectors, Tables, ages.</summary>
[TestFixture]
public sealed class AgentTypeObjectsTests
{
    private const string Store = "agentlens-system";

    private static StoredEntry Entry(string name, SourceRef source, bool push = false, Protocol protocol = Protocol.A2a, Lifecycle lifecycle = Lifecycle.Active, params string[] capabilityKinds)
    {
        var entry = new AgentType
        {
            Metadata = new AgentMetadata { Name = name, Namespace = Store },
            Spec = new AgentSpec { Protocol = protocol, Endpoint = $"http://{name}.example", Source = source, Team = "wx" },
            Status = new AgentStatus { Lifecycle = lifecycle, Version = "1.0.0", Capabilities = [.. capabilityKinds.Select((k, i) => new Capability { Kind = k, Name = $"c{i}" })] },
        };
        return new StoredEntry
        {
            Name = name,
            Namespace = Store,
            ResourceVersion = "1",
            IsPush = push,
            Endpoint = entry.Spec.Endpoint,
            Entry = entry,
            Json = CatalogJson.SerializeToString(entry),
            Labels = CatalogNames.Labels(entry),
            Created = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc),
        };
    }

    private static readonly SourceRef TeamA = new() { Type = SourceType.Kubernetes, Namespace = "team-a", Name = "weather" };

    [Test]
    public void ServedNamespace_IsTheServicesForDiscoveredEntries_AndTheStoresOtherwise()
    {
        var discovered = Entry("a", TeamA);
        var staticEntry = Entry("s", new SourceRef { Type = SourceType.Static, Name = "partner" });
        // A push entry that claims to come from team-a's Service is still the store's: its author cannot
        // place it among team-a's agents.
        var push = Entry("p", TeamA, push: true);

        Assert.That(CatalogFilter.ServedNamespace(discovered, Store), Is.EqualTo("team-a"));
        Assert.That(CatalogFilter.ServedNamespace(staticEntry, Store), Is.EqualTo(Store));
        Assert.That(CatalogFilter.ServedNamespace(push, Store), Is.EqualTo(Store));
    }

    [TestCase("metadata.namespace=team-a", true)]
    [TestCase("metadata.namespace==team-a", true)]
    [TestCase("metadata.namespace!=team-a", false)]
    [TestCase("metadata.name=a,spec.protocol=a2a", true)]
    [TestCase("spec.protocol=mcp", false)]
    [TestCase("status.lifecycle=Active", true)]
    [TestCase("status.lifecycle!=Offline", true)]
    [TestCase("", true)]
    public void FieldSelectors_Match(string selector, bool matches)
    {
        var requirements = new List<Func<StoredEntry, bool>>();

        Assert.That(CatalogFilter.TryParseFields(selector, Store, requirements, out var error), Is.True, error);
        Assert.That(new CatalogFilter { Requirements = requirements }.Matches(Entry("a", TeamA)), Is.EqualTo(matches));
    }

    [TestCase("spec.team=wx", "field label not supported: spec.team")]
    [TestCase("metadata.name", "is not field=value")]
    public void FieldSelectors_Unsupported_AreErrorsThatSayWhy(string selector, string message)
    {
        Assert.That(CatalogFilter.TryParseFields(selector, Store, [], out var error), Is.False);
        Assert.That(error, Does.Contain(message));
    }

    [TestCase("a2a", new[] { CapabilityKinds.A2aSkill, CapabilityKinds.A2aSkill, CapabilityKinds.A2aInterface }, "2 skills")]
    [TestCase("a2a", new[] { CapabilityKinds.A2aSkill }, "1 skill")]
    [TestCase("a2a", new string[0], "0 skills")]
    [TestCase("mcp", new[] { CapabilityKinds.McpTool, CapabilityKinds.McpTool, CapabilityKinds.McpPrompt }, "2 tools, 1 prompt")]
    [TestCase("mcp", new[] { CapabilityKinds.McpResource }, "0 tools, 1 resource")]
    public void CapabilitySummary_CountsWhatTheAgentOffers(string protocol, string[] kinds, string expected) =>
        Assert.That(AgentTypeObjects.CapabilitySummary(Entry("a", TeamA, protocol: protocol == "mcp" ? Protocol.Mcp : Protocol.A2a, capabilityKinds: kinds).Entry!), Is.EqualTo(expected));

    [TestCase(0, "0s")]
    [TestCase(119, "119s")]
    [TestCase(192, "3m12s")]
    [TestCase(1020, "17m")]
    [TestCase(18180, "5h3m")]
    [TestCase(36000, "10h")]
    [TestCase(259200, "3d")]
    [TestCase(1296000, "15d")]
    [TestCase(66528000, "2y40d")]
    public void Age_ReadsLikeKubectls(int seconds, string expected) => Assert.That(AgentTypeObjects.Age(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));

    [Test]
    public void Table_HasTheColumnsRowsAndMetadataKubectlPrints()
    {
        var item = Entry("a", TeamA, capabilityKinds: [CapabilityKinds.A2aSkill]);
        var now = new DateTimeOffset(2026, 11, 26, 12, 5, 0, TimeSpan.Zero);

        var table = JsonNode.Parse(AgentTypeObjects.TableBytes([(item, "42")], "43", Store, AgentTypeObjects.RowObject.Metadata, withColumns: true, now))!;

        Assert.That((string?)table["kind"], Is.EqualTo("Table"));
        Assert.That((string?)table["metadata"]!["resourceVersion"], Is.EqualTo("43"));
        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]),
            Is.EqualTo(new[] { "Name", "Protocol", "Lifecycle", "Capabilities", "Version", "Team", "Age", "Endpoint", "Source", "Signed", "Authorization", "Cluster" }));
        Assert.That(table["columnDefinitions"]!.AsArray().Where(c => (int)c!["priority"]! == 1).Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "Endpoint", "Source", "Signed", "Authorization", "Cluster" }));
        var row = table["rows"]![0]!;
        Assert.That(row["cells"]!.AsArray().Select(c => (string?)c),
            Is.EqualTo(new[] { "a", "a2a", "Active", "1 skill", "1.0.0", "wx", "5m", "http://a.example", "kubernetes:team-a/weather", string.Empty, string.Empty, string.Empty }));
        Assert.That((string?)row["object"]!["kind"], Is.EqualTo("PartialObjectMetadata"));
        Assert.That((string?)row["object"]!["metadata"]!["namespace"], Is.EqualTo("team-a"));
        Assert.That((string?)row["object"]!["metadata"]!["resourceVersion"], Is.EqualTo("42"));
    }

    [Test]
    public void AuthorizationColumn_SaysWhoGrantsAccess_OrWhichSchemesACardRequires()
    {
        var protectedMcp = new AgentAuthorization { Required = true, AuthorizationServers = ["https://auth.example.com/"] };
        var a2a = new AgentAuthorization
        {
            Requirements = [new AuthorizationRequirement { Schemes = ["oauth"] }, new AuthorizationRequirement { Schemes = ["apiKey", "mtls"] }],
        };

        Assert.That(AgentTypeObjects.AuthorizationSummary(protectedMcp), Is.EqualTo("required (auth.example.com)"));
        Assert.That(AgentTypeObjects.AuthorizationSummary(protectedMcp with { AuthorizationServers = ["not a url"] }), Is.EqualTo("required"), "a hand-written entry's garbage is left out");
        Assert.That(AgentTypeObjects.AuthorizationSummary(a2a), Is.EqualTo("oauth | apiKey+mtls"));
        Assert.That(AgentTypeObjects.AuthorizationSummary(null), Is.Empty);
    }

    [Test]
    public void Object_IsTheStoredSpecAndStatusUnderKubernetesMetadata()
    {
        var item = Entry("a", TeamA, capabilityKinds: [CapabilityKinds.A2aSkill]);

        var served = JsonNode.Parse(AgentTypeObjects.ObjectBytes(item, "7", Store))!;
        var stored = JsonNode.Parse(item.Json!)!;

        Assert.That((string?)served["apiVersion"], Is.EqualTo("agentlens.io/v1alpha1"));
        Assert.That((string?)served["metadata"]!["namespace"], Is.EqualTo("team-a"));
        Assert.That((string?)served["metadata"]!["resourceVersion"], Is.EqualTo("7"));
        Assert.That((string?)served["metadata"]!["creationTimestamp"], Is.EqualTo("2026-11-26T12:00:00Z"));
        Assert.That((string?)served["metadata"]!["annotations"]!["agentlens.io/stored-in"], Is.EqualTo($"{Store}/a"));
        Assert.That(JsonNode.DeepEquals(served["spec"], stored["spec"]) && JsonNode.DeepEquals(served["status"], stored["status"]), Is.True);
    }

    [Test]
    public void Status_IsAKubernetesStatus()
    {
        var status = JsonNode.Parse(AgentTypeObjects.StatusBytes(410, "Expired", "too old resource version: 5"))!;

        Assert.That((string?)status["kind"], Is.EqualTo("Status"));
        Assert.That((int?)status["code"], Is.EqualTo(410));
        Assert.That((string?)status["reason"], Is.EqualTo("Expired"));
        Assert.That((string?)status["details"]!["group"], Is.EqualTo("agentlens.io"));
    }
}
