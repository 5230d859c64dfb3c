using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Autorest;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>
/// The aggregation layer in tests: a serving certificate signed by a CA of the test's own, and the
/// APIService <c>v1alpha1.agentlens.io</c> routed to an operator on loopback through an ExternalName Service
/// (kube-apiserver 1.20 marks that Available; a ClusterIP Service would need Endpoints, and loopback
/// Endpoints are refused). There is one such APIService per cluster, so one fixture at a time registers it.
/// </summary>
internal static class AggregatedApi
{
    public const string ApiServiceName = "v1alpha1.agentlens.io";

    /// <summary>A CA and a serving certificate for <paramref name="dnsName"/>, as PEM files in <paramref name="dir"/>.</summary>
    public static (string CertFile, string KeyFile, byte[] CaPem) ServingCertificate(string dir, string dnsName)
    {
        Directory.CreateDirectory(dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=agentlens-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var serving = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);

        var certFile = Path.Combine(dir, "tls.crt");
        var keyFile = Path.Combine(dir, "tls.key");
        File.WriteAllText(certFile, serving.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile, System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem()));
    }

    /// <summary>A client certificate for <paramref name="commonName"/> signed by the control plane's front-proxy CA (or, with null, by nobody's).</summary>
    public static X509Certificate2 ClientCertificate(ControlPlane cp, string commonName, bool signedByFrontProxyCa = true)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        X509Certificate2 certificate;
        if (signedByFrontProxyCa)
        {
            using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(cp.Dir, "front-proxy-ca.crt"), Path.Combine(cp.Dir, "front-proxy-ca.key"));
            using var issued = request.Create(ca, ca.NotBefore.ToUniversalTime() > now.AddMinutes(-5) ? ca.NotBefore.ToUniversalTime() : now.AddMinutes(-5), now.AddHours(1), RandomNumberGenerator.GetBytes(8));
            certificate = issued.CopyWithPrivateKey(key);
        }
        else
        {
            certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
        }

        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>The front-proxy client certificate kube-apiserver itself presents.</summary>
    public static X509Certificate2 AggregatorCertificate(ControlPlane cp)
    {
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(cp.Dir, "front-proxy-client.crt"), Path.Combine(cp.Dir, "front-proxy-client.key"));
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Points the APIService at the operator on 127.0.0.1:<paramref name="port"/> (replacing any other) and waits until it is Available.</summary>
    public static async Task RegisterAsync(IKubernetes client, string serviceNamespace, string serviceName, int port, byte[]? caBundle)
    {
        await UnregisterAsync(client);
        try
        {
            await client.CoreV1.DeleteNamespacedServiceAsync(serviceName, serviceNamespace);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Not there yet.
        }

        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = serviceName },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "127.0.0.1", Ports = [new V1ServicePort { Name = "https", Port = port }] },
        }, serviceNamespace);
        await client.ApiregistrationV1.CreateAPIServiceAsync(new V1APIService
        {
            Metadata = new V1ObjectMeta { Name = ApiServiceName },
            Spec = new V1APIServiceSpec
            {
                Group = "agentlens.io",
                Version = "v1alpha1",
                GroupPriorityMinimum = 1000,
                VersionPriority = 15,
                CaBundle = caBundle,
                InsecureSkipTLSVerify = caBundle is null ? true : null,
                Service = new Apiregistrationv1ServiceReference { Name = serviceName, NamespaceProperty = serviceNamespace, Port = port },
            },
        });
        await WaitAvailableAsync(client);
    }

    public static async Task WaitAvailableAsync(IKubernetes client)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? last = null;
        while (!deadline.IsCancellationRequested)
        {
            var service = await client.ApiregistrationV1.ReadAPIServiceAsync(ApiServiceName);
            var available = service.Status?.Conditions?.FirstOrDefault(c => c.Type == "Available");
            if (available?.Status == "True")
            {
                return;
            }

            last = $"{available?.Reason}: {available?.Message}";
            await Task.Delay(200);
        }

        throw new TimeoutException($"APIService {ApiServiceName} not Available after 60 s ({last})");
    }

    public static async Task UnregisterAsync(IKubernetes client)
    {
        try
        {
            await client.ApiregistrationV1.DeleteAPIServiceAsync(ApiServiceName);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Nobody had registered it.
        }
    }
}
