using System.Net;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace AgentLens.Operator.Tests.Api.Ui;

/// <summary>
/// The catalog page at <c>/ui/</c> in a real headless Chromium, against the operator as a process with
/// Kubernetes authentication on the real API server and real agents (the @a2a-js/sdk agent and the
/// @modelcontextprotocol/sdk server in team A, a loopback agent and an OAuth-protected MCP server in team B).
/// Each view is saved as a screenshot.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class CatalogPageTests
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ControlPlane cp = null!;
    private string store = null!;
    private string teamA = null!;
    private string teamB = null!;
    private NodeAgent weather = null!;
    private NodeAgent docs = null!;
    private SwitchableAgent billing = null!;
    private NodeAgent privateDocs = null!;
    private OperatorServer op = null!;
    private string readerA = null!;
    private string admin = null!;
    private Browser browser = null!;

    private string Page => $"http://127.0.0.1:{op.Port}/ui/";

    [OneTimeSetUp]
    public async Task StartOperator()
    {
        Assume.That(Browser.Installed, "Debian's chromium and chromium-driver are installed by `make test` (make tools)");
        cp = await ControlPlane.SharedAsync();
        store = await TestNamespaces.CreateAsync(cp.Client, "ui-store");
        teamA = await TestNamespaces.CreateAsync(cp.Client, "ui-a");
        teamB = await TestNamespaces.CreateAsync(cp.Client, "ui-b");
        weather = await NodeAgent.StartA2aAsync("Weather Agent");
        docs = await NodeAgent.StartMcpAsync("docs-mcp");
        billing = new SwitchableAgent("Billing", "send_invoice");
        privateDocs = await NodeAgent.StartProtectedMcpAsync($"tok-{Guid.NewGuid():N}");
        await Tenant.AnnounceAsync(cp.Client, teamA, "weather", "127.0.0.1", weather.Port, new() { ["agentlens.io/team"] = "forecasting" });
        await Tenant.AnnounceAsync(cp.Client, teamA, "docs", "127.0.0.1", docs.Port, new() { ["agentlens.io/type"] = "mcp", ["agentlens.io/team"] = "platform" });
        await Tenant.AnnounceAsync(cp.Client, teamB, "billing", "127.0.0.1", new Uri(billing.BaseUrl).Port, new() { ["agentlens.io/team"] = "finance" });
        await Tenant.AnnounceAsync(cp.Client, teamB, "private-docs", "127.0.0.1", privateDocs.Port, new() { ["agentlens.io/type"] = "mcp", ["agentlens.io/team"] = "security" });

        var read = new V1PolicyRule { ApiGroups = ["agentlens.io"], Resources = ["agenttypes"], Verbs = ["get", "list", "watch"] };
        await TestRbac.GrantAsync(cp.Client, teamA, "agt-reader", "reader", read);
        var clusterRole = $"agt-admin-{store}";
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = clusterRole }, Rules = [read] });
        await cp.Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = clusterRole },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = clusterRole },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "admin", NamespaceProperty = store }],
        });
        readerA = await TokenAsync(teamA, "reader");
        admin = await TokenAsync(store, "admin");

        // A one-second poll, so a stopped agent is Offline after one failed cycle; --events for a new Service at once.
        op = await OperatorServer.StartAsync(cp, store, "--namespaces", $"{teamA},{teamB}", "--api-auth", "kubernetes", "--events",
            "--poll-interval", "1s", "--offline-after-failures", "1");
        await Poll.UntilAsync(() => AgentsAsync(admin), s => s.Contains("\"Weather Agent\"", StringComparison.Ordinal)
            && s.Contains("\"docs-mcp\"", StringComparison.Ordinal) && s.Contains("\"Billing\"", StringComparison.Ordinal)
            && s.Contains("\"Private docs\"", StringComparison.Ordinal));
    }

    [OneTimeTearDown]
    public async Task StopOperator()
    {
        if (op is not null)
        {
            await op.DisposeAsync();
            await weather.DisposeAsync();
            await docs.DisposeAsync();
            await billing.DisposeAsync();
            await privateDocs.DisposeAsync();
        }

        http.Dispose();
    }

    [SetUp]
    public void OpenBrowser() => browser = Browser.Start();

    [TearDown]
    public void CloseBrowser() => browser?.Dispose();

    private async Task<string> TokenAsync(string ns, string name)
    {
        var (client, token) = await cp.ServiceAccountClientAsync(ns, name);
        client.Dispose();
        return token;
    }

    private async Task<string> AgentsAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, op.BaseUrl);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task SignInAsync(string token)
    {
        browser.Driver.Navigate().GoToUrl(Page);
        await browser.UntilAsync(() => browser.Find("#token").Displayed, "the sign-in form");
        browser.Find("#token").SendKeys(token);
        browser.Find("#sign-in-form button[type=submit]").Click();
        await browser.UntilAsync(() => browser.Find("#live").Text == "live", "the catalog, live");
    }

    private IReadOnlyList<(string Name, string Namespace, string Protocol, string Lifecycle)> Rows() =>
        [.. browser.FindAll("#agents tbody tr[data-name]").Select(r => r.FindElements(By.CssSelector("td")).Select(c => c.Text).ToArray())
            .Select(c => (c[0], c[1], c[2], c[3]))];

    private async Task UntilRowsAsync(Func<IReadOnlyList<(string Name, string Namespace, string Protocol, string Lifecycle)>, bool> condition, string what) =>
        await browser.UntilAsync(() => condition(Rows()), what);

    [Test]
    public async Task The_page_loads_and_runs_with_no_request_outside_the_operator()
    {
        await SignInAsync(readerA);
        await UntilRowsAsync(r => r.Any(x => x.Name == "Weather Agent") && r.Any(x => x.Name == "docs-mcp"), "team A's agents");
        browser.Find("#agents tbody a").Click();
        await browser.UntilAsync(() => browser.FindAll("#agent-body .card").Count > 0, "an agent's capabilities");
        browser.Find("#nav-operator").Click();
        await browser.UntilAsync(() => browser.Find("#operator-body").Text.Contains("Sources", StringComparison.Ordinal), "the operator view");

        var urls = browser.RequestedUrls();
        Assert.That(urls, Is.Not.Empty, "Chrome's performance log lists the page's requests");
        Assert.That(urls, Has.Some.EndsWith("/api/v1/agents/watch"), "the watch is one of them");
        Assert.That(urls, Has.All.StartsWith($"http://127.0.0.1:{op.Port}/"), "every request goes to the operator that served the page");
        Assert.That(urls, Has.None.Contains(readerA), "the token is never put in a URL");
        var consoleLines = browser.Driver.Manage().Logs.GetLog("browser").Select(e => e.Message).ToList();
        Assert.That(consoleLines, Has.None.Contains("Content Security Policy"), "nothing on the page breaks its CSP (no inline script or style)");
        Assert.That(browser.Script("return sessionStorage.getItem('agentlens.token') !== null && localStorage.length === 0;"), Is.True,
            "the token is kept for the tab only");
    }

    [TestCase("")]
    [TestCase("app.js")]
    [TestCase("app.css")]
    public async Task Every_file_of_the_page_is_served_with_a_strict_content_security_policy(string file)
    {
        using var response = await http.GetAsync(Page + file);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(string.Join(";", response.Headers.GetValues("Content-Security-Policy")), Does.StartWith("default-src 'self'"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        Assert.That(response.Headers.ETag, Is.Not.Null);
    }

    [Test]
    public async Task A_file_the_page_does_not_have_is_404_and_unchanged_files_are_304()
    {
        using var missing = await http.GetAsync(Page + "..%2F..%2Fetc%2Fpasswd");
        using var first = await http.GetAsync(Page + "app.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, Page + "app.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var revalidated = await http.SendAsync(again);

        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(revalidated.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task The_status_endpoint_wants_a_token_like_the_rest_of_the_API()
    {
        using var response = await http.GetAsync($"http://127.0.0.1:{op.Port}/api/v1/status");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("bearer token is required"));
    }

    [Test]
    public async Task A_team_a_token_lists_team_a_agents_only()
    {
        await SignInAsync(readerA);
        await UntilRowsAsync(r => r.Any(x => x.Name == "Weather Agent") && r.Any(x => x.Name == "docs-mcp"), "team A's agents");
        browser.Screenshot("catalog");

        var rows = Rows();
        Assert.That(rows.Select(r => r.Namespace), Has.All.EqualTo(teamA));
        Assert.That(rows.Select(r => r.Name), Has.None.EqualTo("Billing"), "team B's agent is not shown to team A");
        Assert.That(browser.Find("#f-namespace").FindElements(By.TagName("option")).Select(o => o.GetAttribute("value")), Has.None.EqualTo(teamB));
        var weatherRow = rows.Single(r => r.Name == "Weather Agent");
        Assert.That((weatherRow.Protocol, weatherRow.Lifecycle), Is.EqualTo(("a2a", "Active")));
    }

    [Test]
    public async Task A_bad_token_is_refused_with_a_message_and_the_page_stays_on_sign_in()
    {
        browser.Driver.Navigate().GoToUrl(Page);
        await browser.UntilAsync(() => browser.Find("#token").Displayed, "the sign-in form");
        browser.Screenshot("sign-in");
        browser.Find("#token").SendKeys("not-a-token");
        browser.Find("#sign-in-form button[type=submit]").Click();

        await browser.UntilAsync(() => browser.Find("#error").Displayed, "an error");
        Assert.That(browser.Find("#error").Text, Does.StartWith("The token was not accepted"));
        Assert.That(browser.Find("#view-catalog").Displayed, Is.False);
        Assert.That(browser.Script("return sessionStorage.getItem('agentlens.token');"), Is.Null, "a refused token is not kept");
    }

    [Test]
    public async Task Filters_and_the_search_box_narrow_the_table()
    {
        await SignInAsync(admin);
        await UntilRowsAsync(r => new[] { "Weather Agent", "docs-mcp", "Billing" }.All(n => r.Any(x => x.Name == n)), "every team's agents");

        new SelectElement(browser.Find("#f-protocol")).SelectByValue("mcp");
        await UntilRowsAsync(r => r.Count > 0 && r.All(x => x.Protocol == "mcp"), "only MCP servers");
        Assert.That(Rows().Select(r => r.Name), Is.EquivalentTo(new[] { "docs-mcp", "Private docs" }));

        new SelectElement(browser.Find("#f-protocol")).SelectByValue(string.Empty);
        new SelectElement(browser.Find("#f-team")).SelectByValue("finance");
        await UntilRowsAsync(r => r.Count == 1, "the finance team's agent");
        Assert.That(Rows().Single().Name, Is.EqualTo("Billing"));

        new SelectElement(browser.Find("#f-team")).SelectByValue(string.Empty);
        browser.Find("#q").SendKeys("weather forecast");
        await UntilRowsAsync(r => r.Count == 1, "what the search finds");
        Assert.That(Rows().Single().Name, Is.EqualTo("Weather Agent"));
        Assert.That(browser.Find("#count").Text, Does.Contain("matching"));
        browser.Screenshot("catalog-search");
    }

    [Test]
    public async Task A_search_the_API_refuses_says_why_next_to_the_box()
    {
        await SignInAsync(readerA);
        browser.Find("#q").SendKeys("owner:alice");

        await browser.UntilAsync(() => browser.Find("#q-error").Displayed, "the search error");
        Assert.That(browser.Find("#q-error").Text, Does.Contain("unknown field 'owner'"));
    }

    [Test]
    public async Task A_new_agent_appears_and_a_stopped_one_turns_offline_without_a_reload()
    {
        var doomed = await NodeAgent.StartA2aAsync("Doomed Agent");
        await using var newcomer = new SwitchableAgent("Newcomer", "greet");
        try
        {
            await SignInAsync(readerA);
            await Tenant.AnnounceAsync(cp.Client, teamA, "doomed", "127.0.0.1", doomed.Port);
            await UntilRowsAsync(r => r.Any(x => x.Name == "Doomed Agent" && x.Lifecycle == "Active"), "the doomed agent, Active");
            browser.Script("window.samePage = 'never reloaded';");

            await Tenant.AnnounceAsync(cp.Client, teamA, "newcomer", "127.0.0.1", new Uri(newcomer.BaseUrl).Port);
            await UntilRowsAsync(r => r.Any(x => x.Name == "Newcomer"), "the new agent");

            await doomed.DisposeAsync();
            await Poll.UntilAsync(() => AgentsAsync(readerA), s => s.Contains("\"Doomed Agent\"", StringComparison.Ordinal) && s.Contains("\"lifecycle\":\"Offline\"", StringComparison.Ordinal));
            var apiSaysOffline = DateTime.UtcNow;
            await UntilRowsAsync(r => r.Any(x => x.Name == "Doomed Agent" && x.Lifecycle == "Offline"), "the stopped agent, Offline");
            TestContext.Out.WriteLine($"the page showed Offline {(DateTime.UtcNow - apiSaysOffline).TotalMilliseconds:F0} ms after the API did");

            Assert.That(browser.Script("return window.samePage;"), Is.EqualTo("never reloaded"), "the changes came without a reload");
            var row = browser.Find("#agents tbody tr[data-lifecycle=Offline]");
            Assert.That(row.GetAttribute("class"), Does.Contain("offline"));
            Assert.That(row.FindElement(By.CssSelector(".badge")).GetCssValue("color"), Is.EqualTo("rgba(138, 18, 18, 1)"), "Offline is red");
            browser.Screenshot("catalog-offline");
        }
        finally
        {
            // The namespace is this run's own: the two Services stay, and the other tests look for their own agents by name.
            await doomed.DisposeAsync();
        }
    }

    [Test]
    public async Task The_agent_view_shows_its_tools_conditions_and_how_to_connect()
    {
        await SignInAsync(readerA);
        await UntilRowsAsync(r => r.Any(x => x.Name == "docs-mcp"), "the MCP server");
        browser.FindAll("#agents tbody a").Single(a => a.Text == "docs-mcp").Click();
        await browser.UntilAsync(() => browser.FindAll("#agent-body .card[data-kind='mcp.tool']").Count == 2, "its two tools");

        var tools = browser.FindAll("#agent-body .card[data-kind='mcp.tool']");
        Assert.That(tools.Select(t => t.GetAttribute("data-name")), Is.EquivalentTo(new[] { "search_docs", "get_page" }));
        var search = tools.Single(t => t.GetAttribute("data-name") == "search_docs").Text;
        Assert.That(search, Does.Contain("Full-text search over the docs"));
        Assert.That(search, Does.Contain("Input schema").And.Contain("query*"));
        var body = browser.Find("#agent-body").Text;
        Assert.That(body, Does.Contain("CardFetched").And.Contain("MCP remote").And.Contain($"kubectl describe agenttype agt-mcp-{teamA}-docs-"));
        Assert.That(body, Does.Contain($"-n {teamA}"));
        browser.FitHeight(1280);
        browser.Screenshot("agent-mcp");

        browser.Driver.Navigate().GoToUrl(Page + "#/");
        await UntilRowsAsync(r => r.Any(x => x.Name == "Weather Agent"), "the catalog again");
        browser.FindAll("#agents tbody a").Single(a => a.Text == "Weather Agent").Click();
        await browser.UntilAsync(() => browser.FindAll("#agent-body .card[data-kind='a2a.skill']").Count == 2, "the A2A agent's skills");
        var a2a = browser.Find("#agent-body").Text;
        Assert.That(a2a, Does.Contain("A2A interfaces").And.Contain("/a2a/jsonrpc"), "how to connect: its interfaces");
        Assert.That(a2a, Does.Contain("bearer"), "the authentication it declares");
        browser.FitHeight(1280);
        browser.Screenshot("agent-a2a");
    }

    [Test]
    public async Task A_protected_server_says_it_needs_authorization_from_whom_and_with_which_scopes()
    {
        await SignInAsync(admin);
        await UntilRowsAsync(r => r.Any(x => x.Name == "Private docs"), "the protected server");

        var row = browser.FindAll("#agents tbody tr[data-name]").Single(r => r.FindElement(By.CssSelector("td[data-label=Name]")).Text == "Private docs");
        Assert.That(row.FindElement(By.CssSelector("td[data-label=Authorization]")).Text, Is.EqualTo("required (auth.example.test)"));
        Assert.That(row.FindElement(By.CssSelector("td[data-label=Capabilities]")).Text, Is.EqualTo("?"), "its tools are not known, not none");
        var docsRow = browser.FindAll("#agents tbody tr[data-name]").Single(r => r.FindElement(By.CssSelector("td[data-label=Name]")).Text == "docs-mcp");
        Assert.That(docsRow.FindElement(By.CssSelector("td[data-label=Authorization]")).Text, Is.Empty, "an open server needs nothing");

        row.FindElement(By.TagName("a")).Click();
        await browser.UntilAsync(() => browser.FindAll("#agent-body #authorization").Count == 1, "the agent view");
        var body = browser.Find("#agent-body").Text;
        Assert.That(body, Does.Contain("Authorization servers").And.Contain("https://auth.example.test/"));
        Assert.That(body, Does.Contain("Scopes to ask for").And.Contain("docs:read docs:write"));
        Assert.That(body, Does.Contain($"http://127.0.0.1:{privateDocs.Port}/.well-known/oauth-protected-resource/mcp"), "the resource metadata URL");
        Assert.That(body, Does.Contain("AuthorizationRequired"), "the condition says why no tools are listed");
        Assert.That(browser.Find("#agent-body .auth-required").Text, Is.EqualTo("yes"));
        browser.FitHeight(1280);
        browser.Screenshot("agent-protected");
    }

    [Test]
    public async Task The_operator_view_shows_the_last_cycle_and_the_sources()
    {
        await SignInAsync(admin);
        browser.Find("#nav-operator").Click();

        await browser.UntilAsync(() => browser.Find("#operator-body").Text.Contains("kubernetes", StringComparison.Ordinal), "the sources");
        var text = browser.Find("#operator-body").Text;
        Assert.That(text, Does.Contain("Result").And.Contain("Duration").And.Contain("Last success"));
        Assert.That(text, Does.Contain("Counts of the last cycle").And.Contain("Agents"));
        Assert.That(text, Does.Contain("system:serviceaccount:" + store + ":admin"), "who is signed in");
        browser.Screenshot("operator");
    }

    [Test]
    public async Task A_team_reader_sees_how_the_last_cycle_went_but_not_the_cluster_wide_counts()
    {
        await SignInAsync(readerA);
        browser.Find("#nav-operator").Click();

        await browser.UntilAsync(() => browser.Find("#operator-body").Text.Contains("kubernetes", StringComparison.Ordinal), "the sources");
        var text = browser.Find("#operator-body").Text;
        Assert.That(text, Does.Contain("Result").And.Contain("Last success"));
        Assert.That(text, Does.Not.Contain("Counts of the last cycle"));
        Assert.That(text, Does.Contain("system:serviceaccount:" + teamA + ":reader"));
    }

    [Test]
    public async Task Every_control_is_labelled_and_the_catalog_works_by_keyboard()
    {
        await SignInAsync(readerA);
        await UntilRowsAsync(r => r.Count >= 2, "team A's agents");

        var unlabelled = browser.Script("""
            return [...document.querySelectorAll('input, select, button')]
              .filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
              .map(e => e.id || e.outerHTML);
            """);
        Assert.That((IEnumerable<object>)unlabelled!, Is.Empty, "every visible control has a label");

        // From the top of the page, Tab reaches the first agent's link; Enter opens it.
        browser.Script("document.activeElement.blur(); window.scrollTo(0, 0);");
        var link = browser.Find("#agents tbody a");
        var reached = false;
        for (var i = 0; i < 30 && !reached; i++)
        {
            new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys(Keys.Tab).Perform();
            reached = browser.Driver.SwitchTo().ActiveElement().Equals(link);
        }

        Assert.That(reached, Is.True, "Tab reaches the first agent");
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys(Keys.Enter).Perform();
        await browser.UntilAsync(() => browser.Find("#view-agent").Displayed, "the agent view");
        Assert.That(browser.Driver.SwitchTo().ActiveElement().GetAttribute("id"), Is.EqualTo("agent-title"), "focus moves to the view's heading");
    }

    [TestCase(1280, 800, "catalog-1280")]
    [TestCase(400, 860, "catalog-narrow")]
    public async Task The_catalog_reads_without_sideways_scrolling(int width, int height, string shot)
    {
        browser.Driver.Manage().Window.Size = new System.Drawing.Size(width, height);
        await SignInAsync(readerA);
        await UntilRowsAsync(r => r.Count >= 2, "team A's agents");

        var overflow = Convert.ToInt32(browser.Script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;"), CultureInfo.InvariantCulture);
        browser.FitHeight(width);
        browser.Screenshot(shot);
        Assert.That(overflow, Is.LessThanOrEqualTo(0), "nothing is wider than the window");
    }
}
