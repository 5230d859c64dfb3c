using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Search;

/// <summary>
/// <c>GET /api/v1/search</c> on the operator as a process, with Kubernetes authentication against the real API
/// server: two users who may list AgentTypes in different namespaces find only their own, bad input is a
/// 400 that says what, and a Service annotated while the operator runs is found after its cycle.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class SearchHttpTests
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ControlPlane cp = null!;
    private string store = null!;
    private string teamA = null!;
    private string teamB = null!;
    private SwitchableAgent weather = null!;
    private SwitchableAgent billing = null!;
    private SwitchableAgent translator = null!;
    private OperatorServer op = null!;
    private string readerA = null!;
    private string readerB = null!;
    private string admin = null!;

    [OneTimeSetUp]
    public async Task StartOperator()
    {
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "search-store");
        teamA = await TestNamespaces.CreateAsync(cp.Client, "search-a");
        teamB = await TestNamespaces.CreateAsync(cp.Client, "search-b");
        weather = new SwitchableAgent("Weather", "forecast_weather");
        billing = new SwitchableAgent("Billing", "forecast_revenue", "send_invoice");
        translator = new SwitchableAgent("Translator", "translate_invoice");
        await Tenant.AnnounceAsync(cp.Client, teamA, "weather", "127.0.0.1", new Uri(weather.BaseUrl).Port);
        await Tenant.AnnounceAsync(cp.Client, teamB, "billing", "127.0.0.1", new Uri(billing.BaseUrl).Port);

        var read = new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["get", "list", "watch"] };
        await TestRbac.GrantAsync(cp.Client, teamA, "agt-reader", "reader", read);
        await TestRbac.GrantAsync(cp.Client, teamB, "agt-reader", "reader", read);
        var clusterRole = $"agt-admin-{store}";
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = clusterRole }, Rules = [read] });
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = clusterRole },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = clusterRole },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "admin", NamespaceProperty = store }],
        });
        readerA = await TokenAsync(teamA, "reader");
        readerB = await TokenAsync(teamB, "reader");
        admin = await TokenAsync(store, "admin");

        op = await OperatorServer.StartAsync(cp, store, "--namespaces", $"{teamA},{teamB}", "--api-auth", "kubernetes", "--events");
        await Poll.UntilAsync(() => SearchAsync(admin, "q=forecast"), s => s.Contains("\"Weather\"", StringComparison.Ordinal) && s.Contains("\"Billing\"", StringComparison.Ordinal));
    }

    [OneTimeTearDown]
    public async Task StopOperator()
    {
        await op.DisposeAsync();
        await weather.DisposeAsync();
        await billing.DisposeAsync();
        await translator.DisposeAsync();
        http.Dispose();
    }

    private async Task<string> TokenAsync(string ns, string name)
    {
        var (client, token) = await cp.ServiceAccountClientAsync(ns, name);
        client.Dispose();
        return token;
    }

    private async Task<string> SearchAsync(string? token, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{op.Port}/api/v1/search?{query}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    private static string[] Names(string answer)
    {
        using var json = JsonDocument.Parse(answer[(answer.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        return [.. json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("displayName").GetString()!).Order(StringComparer.Ordinal)];
    }

    [Test]
    public async Task Two_users_each_find_only_the_agents_of_their_namespace()
    {
        var a = await SearchAsync(readerA, "q=forecast");
        var b = await SearchAsync(readerB, "q=forecast");
        var all = await SearchAsync(admin, "q=forecast");

        Assert.That(a, Does.StartWith("200"));
        Assert.That(Names(a), Is.EqualTo(new[] { "Weather" }));
        Assert.That(Names(b), Is.EqualTo(new[] { "Billing" }));
        Assert.That(Names(all), Is.EqualTo(new[] { "Billing", "Weather" }));
        Assert.That(a, Does.Contain("\"total\":1"), "the total counts only what the reader may see");
    }

    [Test]
    public async Task A_hit_says_which_skill_matched_and_how_to_reach_the_agent()
    {
        var answer = await SearchAsync(admin, "q=invoice&namespace=" + teamB);

        using var json = JsonDocument.Parse(answer[4..]);
        var item = json.RootElement.GetProperty("items")[0];
        Assert.That(item.GetProperty("namespace").GetString(), Is.EqualTo(teamB));
        Assert.That(item.GetProperty("protocol").GetString(), Is.EqualTo("a2a"));
        Assert.That(item.GetProperty("lifecycle").GetString(), Is.EqualTo("Active"));
        Assert.That(item.GetProperty("endpoint").GetString(), Does.StartWith("http://"));
        Assert.That(item.GetProperty("matches").EnumerateArray().Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("name").GetString())),
            Is.EqualTo(new[] { ("a2a.skill", "send_invoice") }));
    }

    [Test]
    public async Task The_namespace_filter_of_a_reader_who_may_not_list_there_is_403()
    {
        Assert.That(await SearchAsync(readerA, $"q=forecast&namespace={teamB}"), Does.StartWith("403"));
    }

    [TestCase(null, "401")]
    [TestCase("not-a-token", "401")]
    public async Task Without_a_valid_token_it_is_401(string? token, string status)
    {
        Assert.That(await SearchAsync(token, "q=forecast"), Does.StartWith(status));
    }

    [TestCase("q=", "q: the query is empty")]
    [TestCase("q=owner:alice", "unknown field 'owner'")]
    [TestCase("q=%2Aissue", "may not start with '*'")]
    [TestCase("q=forecast&limit=101", "limit: must be a whole number from 1 to 100")]
    [TestCase("q=forecast&limit=ten", "limit: must be a whole number from 1 to 100")]
    [TestCase("q=forecast&labelSelector=a%20in", "labelSelector")]
    public async Task Bad_input_is_400_saying_what(string query, string message)
    {
        var answer = await SearchAsync(admin, query);

        Assert.That(answer, Does.StartWith("400").And.Contain(message));
        Assert.That(answer, Does.Contain("\"error\":"));
    }

    [Test]
    public async Task A_new_annotated_Services_agent_is_found_after_its_cycle()
    {
        await Tenant.AnnounceAsync(cp.Client, teamA, "translator", "127.0.0.1", new Uri(translator.BaseUrl).Port);

        var answer = await Poll.UntilAsync(() => SearchAsync(readerA, "q=translate%20invoice"), s => s.Contains("\"Translator\"", StringComparison.Ordinal));

        Assert.That(Names(answer), Is.EqualTo(new[] { "Translator" }), "team A's reader sees team A's new agent and not team B's invoices");
    }
}
