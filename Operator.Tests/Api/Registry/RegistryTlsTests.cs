using System.Net;
using System.Security.Cryptography.X509Certificates;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api.Registry;

/// <summary>The registry over HTTPS, as IDEs require: the operator process given a certificate serves it with that certificate, and only over TLS.</summary>
[TestFixture]
public sealed class RegistryTlsTests
{
    [Test]
    public async Task GivenACertificate_TheRegistryAnswersOverTls_WithIt()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"agentlens-registry-tls-{Guid.NewGuid():N}");
        var (certFile, keyFile, caPem) = AggregatedApi.ServingCertificate(dir, "registry.example");
        using var ca = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(caPem));
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            // Trust the test CA only; the name is checked below (the listener is 127.0.0.1, the certificate names registry.example).
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                presented = certificate is null ? null : new X509Certificate2(certificate);
                return certificate is not null && chain.Build(certificate);
            },
        };
        using var https = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var cp = await ControlPlane.SharedAsync();
        var store = await TestNamespaces.CreateAsync(cp.Client, "registry-tls");
        var port = Tools.FreePort();
        try
        {
            await using var op = await OperatorServer.StartAsync(cp, store, "--api-auth", "none",
                "--registry-bind-address", $"127.0.0.1:{port}", "--registry-cert-file", certFile, "--registry-key-file", keyFile);

            var body = await Poll.UntilAsync(async () =>
            {
                try
                {
                    using var response = await https.GetAsync($"https://127.0.0.1:{port}/v0.1/servers?limit=1");
                    return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : string.Empty;
                }
                catch (HttpRequestException)
                {
                    return string.Empty;
                }
            }, b => b.Length > 0, seconds: 60);

            RegistrySchema.AssertValid(body, "/v0.1/servers", 200);
            Assert.That(presented?.Subject, Does.Contain("registry.example"), "the certificate given, not a self-signed one");
            Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{port}/v0.1/servers"), "plain HTTP is not served on a TLS listener");
        }
        finally
        {
            presented?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }
}
