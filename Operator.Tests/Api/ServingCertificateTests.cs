using AgentLens.Operator.Api;
using AgentLens.Operator.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentLens.Operator.Tests.Api;

/// <summary>The TLS context of the AgentType port: built once per certificate, not once per handshake.</summary>
[TestFixture]
public sealed class ServingCertificateTests
{
    [Test]
    public void ContextIsBuiltOncePerCertificate_AndAgainOnlyWhenTheFileChanges()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-cert-{Guid.NewGuid():N}");
        try
        {
            var (certFile, keyFile, _) = AggregatedApi.ServingCertificate(dir, "one.example");
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var certificate = new ServingCertificate(new AggregatedApiOptions { CertFile = certFile, KeyFile = keyFile }, time, NullLogger<ServingCertificate>.Instance);

            var first = Enumerable.Range(0, 100).Select(_ => certificate.Context).Distinct().ToList();
            time.Advance(TimeSpan.FromMinutes(5));
            var unchanged = certificate.Context;
            AggregatedApi.ServingCertificate(dir, "two.example");
            File.SetLastWriteTimeUtc(certFile, DateTime.UtcNow.AddMinutes(1));
            time.Advance(TimeSpan.FromMinutes(5));
            var renewed = Enumerable.Range(0, 100).Select(_ => certificate.Context).Distinct().ToList();

            Assert.That(first, Has.Count.EqualTo(1), "one context for a hundred handshakes");
            Assert.That(unchanged, Is.SameAs(first[0]), "an unchanged file is not rebuilt");
            Assert.That(renewed, Has.Count.EqualTo(1));
            Assert.That(renewed[0], Is.Not.SameAs(first[0]), "a renewed file gets a new context");
            Assert.That(renewed[0].TargetCertificate.Subject, Does.Contain("two.example"));
            Assert.That(certificate.ContextsBuilt, Is.EqualTo(2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
