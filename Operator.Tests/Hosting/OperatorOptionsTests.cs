using AgentLens.Operator.Hosting;

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
    public void Defaults_AreValid()
    {
        var options = new OperatorOptions();

        Assert.That(new OperatorOptionsValidator().Validate(null, options).Succeeded, Is.True);
        Assert.That(new OperatorOptionsCrossValidator().Validate(null, options).Succeeded, Is.True);
    }
}
