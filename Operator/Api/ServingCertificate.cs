using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentLens.Operator.Api;

/// <summary>
/// The AgentType API's TLS certificate: the PEM pair from the options, looked at again every minute so a
/// renewed Secret (cert-manager, a chart upgrade) is served without a restart — or, when none is given, a
/// self-signed one made at start-up, which an APIService can only use with <c>insecureSkipTLSVerify</c>.
/// The TLS context (the certificate with its chain, built once) is made once per certificate and handed to
/// every handshake: built per handshake, it cost milliseconds of CPU each, to anybody who connects.
/// </summary>
internal sealed class ServingCertificate
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(1);
    private readonly string? certFile;
    private readonly string? keyFile;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private X509Certificate2 current;
    private SslStreamCertificateContext context;
    private int contextsBuilt;
    private DateTime loadedWrite;
    private DateTimeOffset checkedAt;

    public ServingCertificate(AggregatedApiOptions options, TimeProvider time, ILogger<ServingCertificate> logger)
    {
        certFile = string.IsNullOrEmpty(options.CertFile) ? null : options.CertFile;
        keyFile = string.IsNullOrEmpty(options.KeyFile) ? null : options.KeyFile;
        this.time = time;
        this.logger = logger;
        if (certFile is null || keyFile is null)
        {
            IsSelfSigned = true;
            current = SelfSigned(time.GetUtcNow());
            context = Build(current, []);
        }
        else
        {
            (current, context) = Load(certFile, keyFile);
            loadedWrite = LastWrite();
        }

        checkedAt = time.GetUtcNow();
    }

    public bool IsSelfSigned { get; }

    /// <summary>How many TLS contexts were built: one per certificate loaded.</summary>
    public int ContextsBuilt => Volatile.Read(ref contextsBuilt);

    /// <summary>The TLS context to present now, shared by every handshake until the certificate changes.</summary>
    public SslStreamCertificateContext Context
    {
        get
        {
            Refresh();
            return Volatile.Read(ref context);
        }
    }

    /// <summary>The certificate presented now.</summary>
    public X509Certificate2 Current
    {
        get
        {
            Refresh();
            return Volatile.Read(ref current);
        }
    }

    private void Refresh()
    {
        if (certFile is null || keyFile is null || time.GetUtcNow() - checkedAt < CheckEvery)
        {
            return;
        }

        lock (gate)
        {
            if (time.GetUtcNow() - checkedAt < CheckEvery)
            {
                return;
            }

            checkedAt = time.GetUtcNow();
            try
            {
                var written = LastWrite();
                if (written != loadedWrite)
                {
                    var (certificate, built) = Load(certFile, keyFile);
                    Volatile.Write(ref context, built);
                    Volatile.Write(ref current, certificate);
                    loadedWrite = written;
                }
            }
            catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException)
            {
                // A Secret being rewritten can be read half-done; the next look gets the whole pair.
                Log.ServingCertificateReloadFailed(logger, e.Message);
            }
        }
    }

    private DateTime LastWrite() => new[] { File.GetLastWriteTimeUtc(certFile!), File.GetLastWriteTimeUtc(keyFile!) }.Max();

    private (X509Certificate2 Certificate, SslStreamCertificateContext Context) Load(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        // Re-imported so that the private key is usable by SslStream on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        // The chain that follows the leaf in the file is sent with it.
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certFile);
        return (certificate, Build(certificate, [.. all.Where(c => c.Thumbprint != certificate.Thumbprint)]));
    }

    private SslStreamCertificateContext Build(X509Certificate2 certificate, X509Certificate2[] chain)
    {
        Interlocked.Increment(ref contextsBuilt);
        // offline: no revocation or AIA fetches for our own chain; it is what the file holds.
        return SslStreamCertificateContext.Create(certificate, [.. chain], offline: true);
    }

    private static X509Certificate2 SelfSigned(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=agentlens-operator (self-signed)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
