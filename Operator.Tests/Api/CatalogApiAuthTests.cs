using System.Net;
using System.Net.Http.Headers;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api;

/// <summary>auth: kubernetes, with real service-account tokens minted by the test API server.</summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class CatalogApiAuthTests
{
    private ControlPlane cp = null!;
    private string ns = null!;
    private OperatorServer op = null!;

    [OneTimeSetUp]
    public async Task StartOperator()
    {
        cp = await ControlPlane.SharedAsync();
        ns = await TestNamespaces.CreateAsync(cp.Client, "auth");
        await PushEntries.CreateAsync(cp.Client, ns, "a");
        // Read access to the store namespace's AgentTypes (where push entries are served), for one service account.
        await TestRbac.GrantAsync(cp.Client, ns, "agentlens-catalog-reader", "reader", new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["get", "list", "watch"] });
        op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "kubernetes");
    }

    [OneTimeTearDown]
    public async Task StopOperator() => await op.DisposeAsync();

    private async Task<HttpResponseMessage> GetAsync(string? token, string path = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, op.BaseUrl + path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await op.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Test]
    public async Task AllowedServiceAccount_ReadsTheCatalogAndWatchesIt()
    {
        var (client, token) = await cp.ServiceAccountClientAsync(ns, "reader");
        client.Dispose();

        using var list = await GetAsync(token);
        await using var watch = await SseClient.ConnectAsync(op.Http, $"{op.BaseUrl}/watch", token: token);

        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await list.Content.ReadAsStringAsync(), Does.Contain("\"name\":\"a\""));
        Assert.That(watch.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await watch.NextEventAsync()).Type, Is.EqualTo("ADDED"));
    }

    [TestCase(null)]
    [TestCase("not-a-token")]
    public async Task MissingOrWrongToken_Is401AsJson(string? token)
    {
        using var response = await GetAsync(token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"code\":401"));
        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo(token is null ? "Bearer realm=\"agentlens\"" : "Bearer realm=\"agentlens\", error=\"invalid_token\""),
            "a 401 says how to authenticate (RFC 9110 11.6.1, RFC 6750 3)");
    }

    [Test]
    public async Task ServiceAccountWithoutListAgentTypes_Is403AsJson()
    {
        var (client, token) = await cp.ServiceAccountClientAsync(ns, "stranger");
        client.Dispose();

        using var list = await GetAsync(token);
        using var watch = await GetAsync(token, "/watch");

        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(watch.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await list.Content.ReadAsStringAsync(), Does.Contain("cannot list resource").And.Contain("agentlens.io"));
    }
}
