using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;
using AgentLens.Operator.Tests.Security;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Reconciliation;

/// <summary>
/// An OAuth-protected MCP server (the TypeScript SDK's requireBearerAuth) announced by a Service, through
/// whole cycles against the real API server: an Active entry that says who grants access, and — with the
/// credentials Secret opted in — its tools, the token appearing nowhere.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class ProtectedAgentTests
{
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    private static string NewToken() => $"tok-{Guid.NewGuid():N}";

    private Task<V1Service> AnnounceAsync(ReconcilerHarness h, NodeAgent server, string? secret = null)
    {
        var annotations = new Dictionary<string, string> { [Annotations.Type] = "mcp" };
        if (secret is not null)
        {
            annotations[Annotations.CredentialsSecret] = secret;
        }

        return Tenant.AnnounceAsync(cp.Client, h.ServicesNamespace, "private-docs", "127.0.0.1", server.Port, annotations);
    }

    private Task<V1Secret> CreateSecretAsync(string ns, string name, string token) =>
        cp.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name },
            StringData = new Dictionary<string, string> { [Annotations.CredentialsSecretKey] = token + "\n" },
        }, ns);

    private async Task<List<Corev1Event>> WarningsAsync(ReconcilerHarness h) =>
        [.. (await cp.Client.CoreV1.ListNamespacedEventAsync(h.StoreNamespace)).Items.Concat((await cp.Client.CoreV1.ListNamespacedEventAsync(h.ServicesNamespace)).Items)
            .Where(e => e.Type == "Warning")];

    [Test]
    public async Task ProtectedServer_IsActive_SaysWhoGrantsAccess_AndIsNotWarnedAboutEachCycle()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(NewToken());
        using var h = await ReconcilerHarness.CreateAsync(cp);
        await AnnounceAsync(h, server);

        await h.CycleAsync();
        var first = await h.SingleAsync();
        for (var i = 0; i < 2; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(5));
            await h.CycleAsync();
        }

        var stored = await h.SingleAsync();
        var status = stored.Entry!.Status;
        Assert.That(status.Lifecycle, Is.EqualTo(Lifecycle.Active), "it answered: reachable and protected, not broken");
        Assert.That(status.Authorization?.AuthorizationServers, Is.EqualTo(new[] { "https://auth.example.test/" }));
        Assert.That(status.Authorization!.ScopesSupported, Is.EqualTo(new[] { "docs:read", "docs:write" }));
        Assert.That(status.Authorization.ResourceName, Is.EqualTo("Private docs"));
        var listed = status.Conditions.Single(c => c.Type == ConditionTypes.CapabilitiesListed);
        Assert.That((listed.Status, listed.Reason), Is.EqualTo((ConditionStatus.False, "AuthorizationRequired")));
        Assert.That(listed.Message, Does.Contain("https://auth.example.test/").And.Contain("401"));
        Assert.That(stored.ResourceVersion, Is.EqualTo(first.ResourceVersion), "an unchanged protected server costs no write");
        Assert.That(await WarningsAsync(h), Is.Empty, "no Warning Event, on any cycle");
        Assert.That(stored.Json, Does.Contain("\"authorization\":{\"required\":true"));
    }

    [Test]
    public async Task WithTheCredentialsSecret_OptedIn_ItsToolsAreListed_AndTheTokenIsNowhere()
    {
        var token = NewToken();
        await using var server = await NodeAgent.StartProtectedMcpAsync(token);
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Crawl.CredentialsSecrets = true, credentials: new KubernetesSecretReader(cp.Client));
        await CreateSecretAsync(h.ServicesNamespace, "docs-token", token);
        await AnnounceAsync(h, server, "docs-token");

        await h.CycleAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        await h.CycleAsync();

        var status = (await h.SingleAsync()).Entry!.Status;
        Assert.That(status.Capabilities.Where(c => c.Kind == CapabilityKinds.McpTool).Select(c => c.Name), Is.EqualTo(new[] { "search_private_docs" }));
        Assert.That(status.Authorization, Is.Null);
        Assert.That(status.Conditions.Single(c => c.Type == ConditionTypes.CapabilitiesListed).Reason, Is.EqualTo("Listed"));
        await Tenant.AssertNowhereAsync(cp.Client, token, h.Logs, h.StoreNamespace, h.ServicesNamespace);
    }

    [Test]
    public async Task WithoutTheOptIn_TheAnnotationIsIgnored_AndTheServerStaysProtected()
    {
        var token = NewToken();
        await using var server = await NodeAgent.StartProtectedMcpAsync(token);
        var reads = 0;
        var reader = new CountingReader(new KubernetesSecretReader(cp.Client), () => reads++);
        using var h = await ReconcilerHarness.CreateAsync(cp, credentials: reader);
        await CreateSecretAsync(h.ServicesNamespace, "docs-token", token);
        await AnnounceAsync(h, server, "docs-token");

        await h.CycleAsync();

        var status = (await h.SingleAsync()).Entry!.Status;
        Assert.That(status.Conditions.Single(c => c.Type == ConditionTypes.CapabilitiesListed).Reason, Is.EqualTo("AuthorizationRequired"));
        Assert.That(reads, Is.Zero, "no Secret is read unless the chart enables it");
    }

    [Test]
    public async Task AMissingSecret_IsAClearError_NamingTheSecret()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(NewToken());
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Crawl.CredentialsSecrets = true, credentials: new KubernetesSecretReader(cp.Client));
        await AnnounceAsync(h, server, "no-such-secret");

        await h.CycleAsync();

        var status = (await h.SingleAsync()).Entry!.Status;
        Assert.That(status.LastError, Does.Contain($"{h.ServicesNamespace}/no-such-secret").And.Contain("does not exist"));
    }

    [Test]
    public async Task ASecretNameWithANamespace_IsRefusedOnTheService()
    {
        await using var server = await NodeAgent.StartProtectedMcpAsync(NewToken());
        using var h = await ReconcilerHarness.CreateAsync(cp, o => o.Crawl.CredentialsSecrets = true, credentials: new KubernetesSecretReader(cp.Client));
        await AnnounceAsync(h, server, "kube-system/admin-token");

        await h.CycleAsync();

        Assert.That(await h.EntriesAsync(), Is.Empty);
        Assert.That(h.Logs.Lines, Has.Some.Contains("InvalidCredentialsSecret"));
    }

    private sealed class CountingReader(ICredentialReader inner, Action counted) : ICredentialReader
    {
        public Task<BearerToken> ReadTokenAsync(SecretReference secret, CancellationToken cancellationToken)
        {
            counted();
            return inner.ReadTokenAsync(secret, cancellationToken);
        }
    }
}
