using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Operations;

/// <summary>The Helm chart with the real helm: lint, template, schema, and an install into the real API server.</summary>
[TestFixture]
[Category("Integration")]
public sealed class HelmChartTests
{
    private static readonly string Chart = Repo.Path("charts", "agentlens-operator");

    private static readonly string[] NonDefault =
    [
        "--set", "replicaCount=3", "--set", "rbac.namespaced=true", "--set", "operator.namespaces={team-a,team-b}",
        "--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true", "--set", "networkPolicy.enabled=true",
        "--set", "podDisruptionBudget.enabled=true", "--set", "catalogReader.enabled=true",
        "--set", "catalogReader.subjects[0].kind=Group", "--set", "catalogReader.subjects[0].name=platform",
        "--set", "staticSources[0].name=partner", "--set", "staticSources[0].type=a2a", "--set", "staticSources[0].url=https://partner.example",
        "--set", "api.auth=none", "--set", "operator.logFormat=text", "--set", "apiServer.enabled=false",
        "--set", "operator.crawl.denyCidrs={10.96.0.0/12,fd00::/8}", "--set", "operator.crawl.allowCidrs={169.254.20.10/32}",
        "--set-json", """trust.jwks={"keys":[{"kty":"EC","kid":"platform","crv":"P-256","x":"AA","y":"AA"}]}""", "--set-json", """trust.jkuAllow=["https://keys.example/","team-a+team-b=https://keys.example/team-a/"]""", "--set", "trust.maxJkuPerCycle=8",
    ];

    [Test]
    public async Task Lint_IsClean()
    {
        var result = await Tools.HelmAsync("lint", Chart);

        Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
        Assert.That(result.StandardOutput, Does.Contain("0 chart(s) failed"));
    }

    [Test]
    public async Task Lint_WithNonDefaultValues_IsClean()
    {
        var result = await Tools.HelmAsync(["lint", Chart, .. NonDefault]);

        Assert.That(result.ExitCode, Is.Zero, result.StandardOutput + result.StandardError);
    }

    [Test]
    public async Task Template_Defaults_RenderTheOperatorUnderTheRestrictedStandard()
    {
        var result = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var yaml = result.StandardOutput;
        Assert.That(yaml, Does.Contain("kind: Deployment").And.Contain("kind: ClusterRole").And.Contain("kind: Role"));
        Assert.That(yaml, Does.Contain("runAsNonRoot: true").And.Contain("readOnlyRootFilesystem: true").And.Contain("type: RuntimeDefault").And.Contain("drop: [ALL]"));
        Assert.That(yaml, Does.Contain("--leader-elect=false"), "one replica: no leader election");
        Assert.That(yaml, Does.Not.Contain("kind: ServiceMonitor"));
        Assert.That(yaml, Does.Contain("path: /healthz").And.Contain("path: /readyz"));
    }

    [Test]
    public async Task Template_NonDefaults_RenderEveryOptionalObject()
    {
        var result = await Tools.HelmAsync(["template", "agentlens", Chart, "--namespace", "agentlens-system", .. NonDefault]);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var yaml = result.StandardOutput;
        foreach (var kind in new[] { "ServiceMonitor", "PrometheusRule", "NetworkPolicy", "PodDisruptionBudget" })
        {
            Assert.That(yaml, Does.Contain($"kind: {kind}"));
        }

        Assert.That(yaml, Does.Contain("--leader-elect=true"), "three replicas: leader election");
        Assert.That(yaml, Does.Contain("namespace: team-a").And.Contain("namespace: team-b"), "a discovery Role per namespace");
        Assert.That(yaml, Does.Not.Contain("kind: ClusterRole"), "namespaced RBAC, no API auth, no AgentType API: nothing cluster-wide");
        Assert.That(yaml, Does.Not.Contain("kind: APIService").And.Contain("--apiserver-bind-address=0"));
        Assert.That(yaml, Does.Contain("url: https://partner.example"));
        Assert.That(yaml, Does.Contain("name: agentlens-catalog-reader"));
        Assert.That(yaml, Does.Contain("--crawl-deny-cidrs=10.96.0.0/12,fd00::/8").And.Contain("--crawl-allow-cidrs=169.254.20.10/32"));
        Assert.That(yaml, Does.Contain("--trust-jwks=/etc/agentlens-trust/jwks.json").And.Contain("--trust-jku-allow=https://keys.example/,team-a+team-b=https://keys.example/team-a/").And.Contain("--trust-max-jku-per-cycle=8").And.Contain("\"kid\":\"platform\""));
    }

    [Test]
    public async Task Template_AgentTypeApi_ByDefault_RegistersTheApiServiceWithTheChartsCa()
    {
        var result = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system");
        var docs = result.StandardOutput.Split("\n---", StringSplitOptions.RemoveEmptyEntries);
        var apiService = KubernetesYaml.Deserialize<V1APIService>(docs.Single(d => d.Contains("kind: APIService", StringComparison.Ordinal)));
        var secret = KubernetesYaml.Deserialize<V1Secret>(docs.Single(d => d.Contains("kind: Secret", StringComparison.Ordinal)));
        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(apiService.Spec.CaBundle));
        using var serving = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(secret.Data["tls.crt"]));
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        Assert.That(apiService.Metadata.Name, Is.EqualTo("v1alpha1.agentlens.io"));
        Assert.That(apiService.Spec.Service.Name, Is.EqualTo("agentlens-agentlens-operator-apiserver"));
        Assert.That(chain.Build(serving), Is.True, "the serving certificate chains to the caBundle");
        Assert.That(serving.MatchesHostname("agentlens-agentlens-operator-apiserver.agentlens-system.svc"), Is.True);
        Assert.That(result.StandardOutput, Does.Contain("--apiserver-cert-file=/etc/agentlens-apiserver-tls/tls.crt").And.Contain("name: system:auth-delegator")
            .And.Contain("name: extension-apiserver-authentication-reader").And.Contain("rbac.authorization.k8s.io/aggregate-to-view: \"true\""));
    }

    [Test]
    public async Task Template_GrantsGetSecrets_OnlyWithCredentialsSecrets_AndOnlyInTheDiscoveredNamespaces()
    {
        var off = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system");
        var on = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system", "--set", "operator.crawl.credentialsSecrets=true");
        var namespaced = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system", "--set", "operator.crawl.credentialsSecrets=true",
            "--set", "rbac.namespaced=true", "--set", "operator.namespaces={team-a,team-b}");

        Assert.That((off.ExitCode, on.ExitCode, namespaced.ExitCode), Is.EqualTo((0, 0, 0)), off.StandardError + on.StandardError + namespaced.StandardError);
        Assert.That(off.StandardOutput, Does.Not.Contain("secrets]").And.Contain("--crawl-credentials-secrets=false"));
        Assert.That(on.StandardOutput, Does.Contain("resources: [secrets]\n    verbs: [get]").And.Contain("--crawl-credentials-secrets=true"));
        var roles = namespaced.StandardOutput.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Where(d => d.Contains("resources: [secrets]", StringComparison.Ordinal)).ToList();
        Assert.That(roles.Select(r => r.Contains("kind: Role\n", StringComparison.Ordinal)), Is.EqualTo(new[] { true, true }), "a Role in each discovered namespace, no ClusterRole");
    }

    [Test]
    public async Task Template_AHub_MayListAndWatchItsNamespacesSecretsAndClusterProfiles_AndOnlyAHub()
    {
        var off = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system");
        var hub = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system", "--set", "federation.enabled=true", "--set", "clusterName=hub");

        Assert.That((off.ExitCode, hub.ExitCode), Is.EqualTo((0, 0)), off.StandardError + hub.StandardError);
        Assert.That(off.StandardOutput, Does.Not.Contain("--federation").And.Not.Contain("clusterprofiles").And.Not.Contain("--cluster-name")
            .And.Not.Contain("resources: [secrets]\n    verbs: [list, watch]"));
        Assert.That(hub.StandardOutput, Does.Contain("- --federation\n").And.Contain("--cluster-name=hub").And.Contain("resources: [clusterprofiles]\n    verbs: [list, watch]"));
        var secrets = hub.StandardOutput.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Single(d => d.Contains("resources: [secrets]\n    verbs: [list, watch]", StringComparison.Ordinal));
        Assert.That(secrets, Does.Contain("kind: Role\n"), "the release namespace only, never a ClusterRole");
        Assert.That(off.StandardOutput, Does.Contain("resources: [clusterproperties]"), "every operator may read its cluster's name");
    }

    [Test]
    public async Task Template_AgentTypeApi_WithCertManager_AsksItForTheCertificateAndTheCa()
    {
        var result = await Tools.HelmAsync("template", "agentlens", Chart, "--namespace", "agentlens-system", "--set", "apiServer.certificate.source=certManager");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        Assert.That(result.StandardOutput, Does.Contain("kind: Certificate").And.Contain("kind: Issuer")
            .And.Contain("cert-manager.io/inject-ca-from: agentlens-system/agentlens-agentlens-operator-apiserver").And.Not.Contain("caBundle:"));
    }

    [TestCase("operator.crawl.concurrency=-1", "concurrency")]
    [TestCase("operator.logFormat=xml", "logFormat")]
    [TestCase("operator.pollInterval=soon", "pollInterval")]
    [TestCase("image.pullPolicy=Sometimes", "pullPolicy")]
    [TestCase("staticSources[0].name=x,staticSources[0].type=soap,staticSources[0].url=http://x", "type")]
    [TestCase("api.auth=basic", "auth")]
    [TestCase("apiServer.certificate.source=vault", "source")]
    [TestCase("operator.crawl.denyCidrs[0]=metadata.internal", "denyCidrs")]
    [TestCase("operator.crawl.agentBudget=forever", "agentBudget")]
    [TestCase("trust.jkuAllow[0]=https://keys.example@evil.example/", "jkuAllow")]
    [TestCase("trust.maxJkuPerCycle=0", "maxJkuPerCycle")]
    public async Task Schema_RejectsABadValue(string set, string field)
    {
        var result = await Tools.HelmAsync("template", "agentlens", Chart, "--set", set);

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.StandardError, Does.Contain("schema").And.Contain(field));
    }

    [Test]
    public async Task Template_NamespacedRbacWithoutNamespaces_FailsWithAReason()
    {
        var result = await Tools.HelmAsync("template", "agentlens", Chart, "--set", "rbac.namespaced=true");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.StandardError, Does.Contain("rbac.namespaced needs operator.namespaces"));
    }
}
