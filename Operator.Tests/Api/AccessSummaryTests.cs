using System.Text;
using System.Text.Json;
using AgentLens.Operator.Api;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api;

/// <summary>The one summary of <c>status.authorization</c> every reader's view shows.</summary>
[TestFixture]
public sealed class AccessSummaryTests
{
    [Test]
    public void AProtectedMcpServer_IsRequired_WithItsIssuer_TheScopesItSupports_AndItsMetadataUrl()
    {
        var access = AccessSummary.Of(ProtectedEntries.ProtectedMcp);

        Assert.That(access.Required, Is.True);
        Assert.That(access.Text, Is.EqualTo("required (auth.example.test)"));
        Assert.That(access.AuthorizationServers, Is.EqualTo(new[] { ProtectedEntries.Issuer }));
        Assert.That(access.Scopes, Is.EqualTo(new[] { "docs:read", "docs:write" }), "no scope in the challenge: the ones the resource supports");
        Assert.That(access.ResourceMetadataUrl, Is.EqualTo(ProtectedEntries.MetadataUrl));
        Assert.That(access.ResourceName, Is.EqualTo("Private docs"));
        Assert.That(access.Alternatives, Is.Empty);
    }

    [Test]
    public void TheChallengesScope_IsWhatToAskFor_AsAnMcpClientChoosesIt()
    {
        var access = AccessSummary.Of(ProtectedEntries.ProtectedMcp with { Error = "insufficient_scope", ScopesRequired = ["docs:write"] });

        Assert.That(access.Scopes, Is.EqualTo(new[] { "docs:write" }));
    }

    [Test]
    public void AnA2aCardWithRequirements_IsRequired_ItsAlternativesAndTheirScopesNamed()
    {
        var access = AccessSummary.Of(ProtectedEntries.A2aCard);

        Assert.That(access.Required, Is.True, "the card requires one of its alternatives");
        Assert.That(access.Alternatives, Is.EqualTo(new[] { "oauth", "apiKey" }));
        Assert.That(access.Text, Is.EqualTo("oauth | apiKey"));
        Assert.That(access.Scopes, Is.EqualTo(new[] { "invoices.read", "invoices.write" }));
        Assert.That(access.ExtendedCard, Is.True);
        Assert.That(access.ResourceMetadataUrl, Is.Null);
    }

    [Test]
    public void AnA2aCardWithSchemesButNoRequirement_IsNotRequired()
    {
        var access = AccessSummary.Of(ProtectedEntries.A2aCard with { Requirements = [] });

        Assert.That((access.Required, access.Text), Is.EqualTo((false, string.Empty)));
    }

    [Test]
    public void AHandWrittenEntry_KeepsOnlyHttpUrls_AndDefaultListsRead()
    {
        var access = AccessSummary.Of(new AgentAuthorization
        {
            Required = true,
            AuthorizationServers = ["javascript:alert(1)", "https://idp.example.test/realms/a"],
            MetadataUrl = "file:///etc/passwd",
            ScopesSupported = default,
            ScopesRequired = default,
            Requirements = default,
        });

        Assert.That(access.AuthorizationServers, Is.EqualTo(new[] { "https://idp.example.test/realms/a" }));
        Assert.That(access.ResourceMetadataUrl, Is.Null);
        Assert.That(access.Scopes, Is.Empty);
        Assert.That(access.Text, Is.EqualTo("required"), "the first server is not a URL: kubectl's cell names none");
    }

    [Test]
    public void AnEntryWithoutAuthorization_HasNoSummary()
    {
        var open = McpEntry() with { Status = new AgentStatus { Lifecycle = Lifecycle.Active } };

        Assert.That(AccessSummary.Of(open), Is.Null);
        Assert.That(AccessSummary.Of((AgentType?)null), Is.Null);
    }

    [Test]
    public void TheJsonForm_HasTheFieldsEachFormatShares()
    {
        var json = Json(AccessSummary.Of(ProtectedEntries.ProtectedMcp));

        Assert.That(json.GetProperty("required").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("summary").GetString(), Is.EqualTo("required (auth.example.test)"));
        Assert.That(json.GetProperty("authorizationServers").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { ProtectedEntries.Issuer }));
        Assert.That(json.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(json.GetProperty("resourceMetadataUrl").GetString(), Is.EqualTo(ProtectedEntries.MetadataUrl));
        Assert.That(json.TryGetProperty("alternatives", out _), Is.False, "an MCP server has no A2A alternatives");
        Assert.That(Json(AccessSummary.Of(ProtectedEntries.A2aCard)).GetProperty("alternatives").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public void CapabilitiesKnown_IsFalse_OnlyForAnMcpServerThatCouldNotBeAsked_AndListedNoTools()
    {
        var refused = Conditions.Set([], ConditionTypes.CapabilitiesListed, ConditionStatus.False, "AuthorizationRequired", "…", DateTimeOffset.UnixEpoch);
        var listed = Conditions.Set([], ConditionTypes.CapabilitiesListed, ConditionStatus.True, "Listed", "…", DateTimeOffset.UnixEpoch);
        var tool = new Capability { Kind = CapabilityKinds.McpTool, Name = "search" };
        var entry = McpEntry();

        Assert.That(AgentTypeObjects.CapabilitiesKnown(entry with { Status = new AgentStatus { Conditions = refused } }), Is.False);
        Assert.That(AgentTypeObjects.CapabilitiesKnown(entry with { Status = new AgentStatus { Conditions = refused, Capabilities = [tool] } }), Is.True, "the card listed them");
        Assert.That(AgentTypeObjects.CapabilitiesKnown(entry with { Status = new AgentStatus { Conditions = listed } }), Is.True, "a server that lists none has none");
        Assert.That(AgentTypeObjects.CapabilitiesKnown(entry with { Spec = entry.Spec with { Protocol = Protocol.A2a }, Status = new AgentStatus { Conditions = refused } }), Is.True);
    }

    private static AgentType McpEntry() => new()
    {
        Metadata = new AgentMetadata { Name = "docs" },
        Spec = new AgentSpec { Protocol = Protocol.Mcp, Endpoint = "http://docs.team-b.svc:8080/mcp", Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "team-b", Name = "docs" } },
    };

    private static JsonElement Json(AccessSummary access)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            access.WriteTo(w);
        }

        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement.Clone();
    }
}
