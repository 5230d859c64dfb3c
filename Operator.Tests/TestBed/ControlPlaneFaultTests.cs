namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The fixture's check of kube-apiserver's log: a panic or fault is kept as a failure of the run.</summary>
[TestFixture]
public sealed class ControlPlaneFaultTests
{
    private string dir = "";

    [SetUp]
    public void CreateDir()
    {
        dir = Path.Combine(Path.GetTempPath(), "agentlens-fault-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
    }

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    [TestCase("E1201 22:01:02.123456 1 runtime.go:78] Observed a panic: runtime error: invalid memory address")]
    [TestCase("fatal error: fault")]
    [TestCase("\tgithub.com/modern-go/reflect2.(*UnsafeMapType).UnsafeIterate(0xc000)")]
    [TestCase("runtime.mapiterinit(0x0, 0xc000, 0xc001)")]
    public void APanicInTheLog_IsFound(string line)
    {
        File.WriteAllLines(Path.Combine(dir, "apiserver.log"), ["I1201 22:01:00.000000 1 server.go:1] serving", line, "I1201 22:01:03.000000 1 server.go:2] more"]);

        var faults = Path.Combine(dir, "faults");

        Assert.That(ControlPlane.KeepFaults(dir, faults), Is.True);
        Assert.That(Directory.GetFiles(faults, "controlplane-fault-*.log"), Has.Length.EqualTo(1), "the log is kept");
        Assert.That(File.ReadAllText(Directory.GetFiles(faults, "controlplane-fault-*.txt").Single()), Does.Contain(line.Trim()), "with the lines hack/test-summary.sh prints");
    }

    [Test]
    public void ACleanLog_IsNotAFault()
    {
        File.WriteAllLines(Path.Combine(dir, "apiserver.log"), ["I1201 22:01:00.000000 1 server.go:1] serving", "W1201 22:01:01.000000 1 warnings.go:70] a warning"]);

        var faults = Path.Combine(dir, "faults");

        Assert.That(ControlPlane.KeepFaults(dir, faults), Is.False);
        Assert.That(Directory.Exists(faults), Is.False);
    }
}
