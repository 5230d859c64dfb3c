using System.Net;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

[TestFixture]
public sealed class ListenAddressTests
{
    [TestCase(":8080", "0.0.0.0:8080")]
    [TestCase("127.0.0.1:0", "127.0.0.1:0")]
    [TestCase("localhost:8082", "127.0.0.1:8082")]
    [TestCase("[::1]:8443", "[::1]:8443")]
    public void AnAddress_IsTheEndpointListenedOn(string address, string endpoint)
    {
        Assert.That(ListenAddress.TryParse(address, out var parsed), Is.True);
        Assert.That(parsed!.ToString(), Is.EqualTo(endpoint));
    }

    [TestCase("0")]
    [TestCase("8080")]
    [TestCase(":99999")]
    [TestCase("example.com:80")]
    public void OffOrUnparsable_IsNoListener(string address) => Assert.That(ListenAddress.TryParse(address, out _), Is.False);

    [Test]
    public void OnlyZero_IsOff()
    {
        Assert.That(ListenAddress.IsOff("0"), Is.True);
        Assert.That(ListenAddress.IsOff(":0"), Is.False, "port 0 is an ephemeral port, not off");
    }

    [Test]
    public void ThePatterns_AcceptOffOnlyWhereTheListenerMayBeOff()
    {
        Assert.That(System.Text.RegularExpressions.Regex.IsMatch("0", ListenAddress.Pattern), Is.True);
        Assert.That(System.Text.RegularExpressions.Regex.IsMatch("0", ListenAddress.RequiredPattern), Is.False);
        Assert.That(System.Text.RegularExpressions.Regex.IsMatch(IPAddress.Loopback + ":8081", ListenAddress.RequiredPattern), Is.True);
    }
}
