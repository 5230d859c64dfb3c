using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests;

/// <summary>Stops the shared control plane once every test in the assembly has run (root namespace: all of them).</summary>
[SetUpFixture]
public sealed class RunTeardown
{
    [OneTimeTearDown]
    public void StopControlPlane() => ControlPlane.StopShared();
}
