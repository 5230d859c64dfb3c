using AgentLens.Operator.Hosting;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Hosting;

[TestFixture]
public sealed class OperatorOptionsTests
{
    [Test]
    public void TryNormalizeArgs_RewritesSwitchesListsAndSpacedValues()
    {
        var ok = OperatorOptionsRegistration.TryNormalizeArgs(
            ["--once", "--namespaces", "a, b", "--poll-interval", "1m", "--crawl-timeout=5s", "--AgentLens:Crawl:MaxRedirects=1"], out var args, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(args, Is.EqualTo(new[]
        {
            "--AgentLens:Once=true", "--AgentLens:Namespaces:0=a", "--AgentLens:Namespaces:1=b", "--poll-interval=1m",
            "--crawl-timeout=5s", "--AgentLens:Crawl:MaxRedirects=1",
        }));
    }

    [Test]
    public void TryNormalizeArgs_UnknownFlag_IsAnError()
    {
        Assert.That(OperatorOptionsRegistration.TryNormalizeArgs(["--poll-intervall=1m"], out _, out var error), Is.False);
        Assert.That(error, Does.Contain("unknown flag '--poll-intervall=1m'"));
    }

    [Test]
    public void CrossValidation_NamesEveryProblem()
    {
        var options = new OperatorOptions
        {
            Namespaces = ["ok", "Not OK"],
            Crawl = { Concurrency = 2, PerHostConcurrency = 8 },
            LeaderElection = { LeaseDuration = TimeSpan.FromSeconds(5), RenewDeadline = TimeSpan.FromSeconds(10) },
        };

        var result = new OperatorOptionsCrossValidator().Validate(null, options);

        Assert.That(result.Failures, Is.EquivalentTo(new[]
        {
            "crawl perHostConcurrency must not exceed crawl concurrency",
            "leaderElection renewDeadline must be shorter than leaseDuration",
            "namespaces: 'Not OK' is not a valid namespace name",
        }));
    }

    [Test]
    public void JkuAllowEntries_AreValidatedAtStartUp_WithTheReason()
    {
        var options = new OperatorOptions
        {
            Trust =
            {
                JkuAllow =
                [
                    "https://keys.example.com/keys/", "team-a+team-b=https://keys.example.com/team-a/",
                    "https://keys.example.com@evil.example/", "https://keys.example.com/keys/?v=1", "https://keys.example.com/keys/../x/",
                    "Team A=https://keys.example.com/", "keys.example.com/keys/",
                ],
            },
        };

        var result = new OperatorOptionsCrossValidator().Validate(null, options);

        Assert.That(result.Failures, Is.EquivalentTo(new[]
        {
            "trust jkuAllow: 'https://keys.example.com@evil.example/': it has userinfo (user@host), which is refused",
            "trust jkuAllow: 'https://keys.example.com/keys/?v=1': it has a query or a fragment, which is refused",
            "trust jkuAllow: 'https://keys.example.com/keys/../x/': its path has dot segments or encoded dots, slashes or backslashes, which are refused",
            "trust jkuAllow: 'Team A=https://keys.example.com/': 'Team A' is not a namespace name (the form is ns1+ns2=https://host/path/)",
            "trust jkuAllow: 'keys.example.com/keys/': it is not an absolute http(s) URL",
        }));
    }

    [Test]
    public void RegistryOptions_AreCheckedAtStartUp_NamingTheFlagAndTheValue()
    {
        var options = new OperatorOptions
        {
            Registry =
            {
                BindAddress = "127.0.0.1:8444",
                CertFile = "/nonexistent/registry.crt",
                PublicNamespaces = "agentlens.io/registry in (public",
                PublicBaseUrls = ["team-a=ftp://mcp.example.com", "no-url", "=https://mcp.example.com", "team-b=https://mcp.example.com/gw"],
            },
        };

        var failures = new OperatorOptionsCrossValidator().Validate(null, options).Failures?.ToList() ?? [];

        Assert.That(failures, Does.Contain("registry certFile and keyFile must be given together"));
        Assert.That(failures, Does.Contain("registry: '/nonexistent/registry.crt' does not exist"));
        Assert.That(failures, Has.One.StartsWith("registry publicNamespaces is not a label selector: "));
        Assert.That(failures.Where(f => f.StartsWith("registry publicBaseUrls", StringComparison.Ordinal)), Is.EquivalentTo(new[]
        {
            "registry publicBaseUrls: 'team-a=ftp://mcp.example.com' must be namespace=http(s)://host[/path]",
            "registry publicBaseUrls: 'no-url' must be namespace=http(s)://host[/path]",
            "registry publicBaseUrls: '=https://mcp.example.com' must be namespace=http(s)://host[/path]",
        }));
    }

    [Test]
    public async Task ARegistryKeyWithoutItsCertificate_FailsStartUp_WithAClearMessage()
    {
        var key = Path.GetTempFileName();
        try
        {
            var result = await OperatorProcess.RunAsync("--once", "--kubeconfig", "/nonexistent", "--registry-bind-address", "127.0.0.1:0", "--registry-key-file", key, "--registry-public-namespaces", "a in (b");

            Assert.That(result.ExitCode, Is.EqualTo(2), result.StandardError + result.StandardOutput);
            Assert.That(result.StandardError, Does.Contain("registry certFile and keyFile must be given together").And.Contain("registry publicNamespaces is not a label selector"));
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Test]
    public void Defaults_AreValid()
    {
        var options = new OperatorOptions();

        Assert.That(new OperatorOptionsValidator().Validate(null, options).Succeeded, Is.True);
        Assert.That(new OperatorOptionsCrossValidator().Validate(null, options).Succeeded, Is.True);
    }

    [Test]
    public void CatalogCache_RunsWithEveryReaderApiOff_SoTheReconcilerReadsTheSameWay()
    {
        var options = new OperatorOptions { Api = { BindAddress = "0" }, ApiServer = { BindAddress = "0" } };

        Assert.That(options.Cache().Enabled, Is.True, "the reconciler's consistent read must not depend on whether an API is on");
        Assert.That(new OperatorOptions { Once = true }.Cache().Enabled, Is.False, "a one-shot run keeps no cache");
    }

    [Test]
    public void ApiServerRules_LiveWithTheApiOptions_AndStillFailStartUp()
    {
        var options = new OperatorOptions { ApiServer = { CertFile = "/nonexistent/tls.crt" } };

        Assert.That(options.ApiServer.Problems(), Is.EquivalentTo(new[] { "apiServer certFile and keyFile must be given together", "apiServer: '/nonexistent/tls.crt' does not exist" }));
        Assert.That(new OperatorOptionsCrossValidator().Validate(null, options).Failures, Is.SupersetOf(options.ApiServer.Problems()));
    }

    [Test]
    public void ListenerAddresses_AreValidatedByTheOneRule()
    {
        var options = new OperatorOptions { MetricsBindAddress = "8080", HealthProbeBindAddress = "0", Api = { BindAddress = "host:80" }, ApiServer = { BindAddress = "0" } };

        var failures = new OperatorOptionsValidator().Validate(null, options).Failures;

        Assert.That(failures, Has.Some.Contains("metricsBindAddress must be [host]:port or 0"));
        Assert.That(failures, Has.Some.Contains("healthProbeBindAddress must be [host]:port"));
        Assert.That(failures, Has.Some.Contains("apiBindAddress must be [host]:port or 0"));
        Assert.That(failures, Has.None.Contains("apiServer bindAddress"), "0 turns the AgentType API off");
    }
}
