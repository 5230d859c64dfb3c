using System.Net;
using System.Text.Json;
using AgentLens.Operator.Api.Registry;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Registry;

/// <summary>
/// Who sees what of the registry, against the real API server: a bearer token sees what it may list as
/// agenttypes; anonymous callers see only the namespaces labelled public, and nothing at all without the option.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class RegistryAccessTests
{
    private ControlPlane cp = null!;
    private string open = null!;
    private string closed = null!;
    private string selector = null!;

    [OneTimeSetUp]
    public async Task Namespaces()
    {
        cp = await ControlPlane.SharedAsync();
        open = await TestNamespaces.CreateAsync(cp.Client, "reg-open");
        closed = await TestNamespaces.CreateAsync(cp.Client, "reg-closed");
        // A label of this fixture's own, so that other tests' namespaces never count as public here.
        var label = $"registry-test-{open}";
        selector = $"agentlens.io/{label}=public";
        var ns = await cp.Client.CoreV1.ReadNamespaceAsync(open);
        ns.Metadata.Labels ??= new Dictionary<string, string>();
        ns.Metadata.Labels[$"agentlens.io/{label}"] = "public";
        await cp.Client.CoreV1.ReplaceNamespaceAsync(ns, open);
        await TestRbac.GrantAsync(cp.Client, closed, "registry-reader", "reader", new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["list"] });
    }

    private static string[] Names(string body) =>
        [.. JsonDocument.Parse(body).RootElement.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("server").GetProperty("name").GetString()!)];

    private async Task<RegistryBed> StartAsync(string? publicNamespaces)
    {
        var bed = await RegistryBed.StartAsync(cp.Client, new RegistryOptions { PublicNamespaces = publicNamespaces }, sourceNamespaces: [open, closed], search: true);
        bed.Feed.Put(bed.Mcp("shown", ns: open, cardName: "io.example/shown", description: "secret-free tools"));
        bed.Feed.Put(bed.Mcp("hidden", ns: closed, cardName: "io.example/hidden", description: "secret tools"));
        bed.Feed.Put(bed.Mcp("hidden-gone", ns: closed, cardName: "io.example/hidden-gone", description: "secret tools"));
        if (publicNamespaces is not null)
        {
            await bed.PublicView.Listed.WaitAsync(TimeSpan.FromSeconds(30));
        }

        return bed;
    }

    [Test]
    public async Task Anonymous_SeesOnlyThePublicNamespaces_Anywhere()
    {
        await using var bed = await StartAsync(selector);
        var before = await bed.UntilAsync("/v0.1/servers", b => b.Contains("shown", StringComparison.Ordinal));
        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        bed.Feed.Put(bed.Mcp("hidden", ns: closed, cardName: "io.example/hidden", description: "secret tools", lifecycle: Lifecycle.Offline));
        bed.Feed.Remove("hidden-gone");
        bed.Feed.Put(bed.Mcp("hidden-live", ns: closed, cardName: "io.example/hidden-live", description: "secret tools"));
        var (client, token) = await cp.ServiceAccountClientAsync(closed, "reader");
        client.Dispose();
        // Every entry has a tool "lookup", which only the catalog search reads: once the index has hidden-live, the token's reader finds it.
        await bed.UntilAsync("/v0.1/servers?search=lookup", b => b.Contains("io.example/hidden-live", StringComparison.Ordinal), token);
        await bed.UntilAsync("/v0.1/servers?search=lookup", b => b.Contains("io.example/shown", StringComparison.Ordinal));
        // The token's reader sees the changes once the view has them: then the anonymous reads below see the same view.
        await bed.UntilAsync("/v0.1/servers?include_deleted=true", b => b.Contains("io.example/hidden-gone", StringComparison.Ordinal) && b.Contains("\"status\":\"deleted\"", StringComparison.Ordinal), token);

        var list = await bed.GetAsync("/v0.1/servers");
        var everything = await bed.GetAsync("/v0.1/servers?include_deleted=true");
        var search = await bed.GetAsync("/v0.1/servers?search=secret");
        var byTool = await bed.GetAsync("/v0.1/servers?search=lookup");
        var sync = await bed.GetAsync("/v0.1/servers?updated_since=2000-01-01T00:00:00Z");
        var versions = await bed.GetAsync("/v0.1/servers/io.example%2Fhidden/versions?include_deleted=true");
        var latest = await bed.GetAsync("/v0.1/servers/io.example%2Fhidden/versions/latest?include_deleted=true");
        var gone = await bed.GetAsync("/v0.1/servers/io.example%2Fhidden-gone/versions/latest?include_deleted=true");
        var shown = await bed.GetAsync("/v0.1/servers/io.example%2Fshown/versions/latest");
        var catalog = await bed.GetAsync("/.well-known/ai-catalog.json");

        Assert.That(before, Does.Not.Contain("hidden"));
        foreach (var page in new[] { list, everything, search, byTool, sync })
        {
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK));
            RegistrySchema.AssertValid(page.Body, "/v0.1/servers", 200);
            Assert.That(page.Body, Does.Not.Contain("hidden").And.Not.Contain(closed));
        }

        Assert.That(Names(list.Body), Is.EqualTo(new[] { "io.example/shown" }));
        Assert.That(Names(byTool.Body), Is.EqualTo(new[] { "io.example/shown" }), "what the index finds is narrowed to the public view");
        Assert.That(new[] { versions.Status, latest.Status, gone.Status }, Is.All.EqualTo(HttpStatusCode.NotFound));
        Assert.That(shown.Status, Is.EqualTo(HttpStatusCode.OK), "an unauthenticated versions/latest against the public view");
        Assert.That(catalog.Body, Does.Contain("io.example/shown").And.Not.Contain("hidden"));
        RegistrySchema.AssertValid(shown.Body, "/v0.1/servers/{serverName}/versions/{version}", 200);
    }

    [Test]
    public async Task ABearerToken_SeesWhatItMayList()
    {
        await using var bed = await StartAsync(selector);
        var (client, token) = await cp.ServiceAccountClientAsync(closed, "reader");
        client.Dispose();

        var list = await bed.UntilAsync("/v0.1/servers", b => b.Contains("hidden", StringComparison.Ordinal), token);
        var wrong = await bed.GetAsync("/v0.1/servers", "not-a-token");

        RegistrySchema.AssertValid(list, "/v0.1/servers", 200);
        Assert.That(Names(list), Is.EqualTo(new[] { "io.example/hidden", "io.example/hidden-gone" }), "the closed namespace only: the token may not list the open one");
        Assert.That(wrong.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task WithoutAPublicView_AnonymousIs401()
    {
        await using var bed = await StartAsync(null);

        var list = await bed.GetAsync("/v0.1/servers");
        var latest = await bed.GetAsync("/v0.1/servers/io.example%2Fshown/versions/latest");

        Assert.That(new[] { list.Status, latest.Status }, Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(JsonDocument.Parse(list.Body).RootElement.GetProperty("error").GetString(), Does.Contain("bearer token"));
        Assert.That(list.Response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer realm=\"agentlens\""));
    }

    [Test]
    public async Task ANamespaceLabelledLater_IsPublicOnTheNextList()
    {
        await using var bed = await StartAsync(selector);
        var ns = await cp.Client.CoreV1.ReadNamespaceAsync(closed);
        ns.Metadata.Labels ??= new Dictionary<string, string>();
        ns.Metadata.Labels[selector.Split('=')[0]] = "public";
        await cp.Client.CoreV1.ReplaceNamespaceAsync(ns, closed);
        try
        {
            await bed.PublicView.ListAsync(CancellationToken.None);

            var list = await bed.UntilAsync("/v0.1/servers", b => b.Contains("hidden", StringComparison.Ordinal));

            Assert.That(Names(list), Does.Contain("io.example/hidden"));
        }
        finally
        {
            ns = await cp.Client.CoreV1.ReadNamespaceAsync(closed);
            ns.Metadata.Labels.Remove(selector.Split('=')[0]);
            await cp.Client.CoreV1.ReplaceNamespaceAsync(ns, closed);
        }
    }
}
