namespace AgentLens.Operator.Api.Registry;

/// <summary>The registry's serving certificate when one is given (renewals picked up as the AgentType API's are); null: plain HTTP.</summary>
internal sealed class RegistryCertificate(RegistryOptions options, TimeProvider time, ILogger<ServingCertificate> logger)
{
    public ServingCertificate? Certificate { get; } = string.IsNullOrEmpty(options.CertFile) || string.IsNullOrEmpty(options.KeyFile)
        ? null
        : new ServingCertificate(new AggregatedApiOptions { CertFile = options.CertFile, KeyFile = options.KeyFile }, time, logger);
}
