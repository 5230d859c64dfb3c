namespace AgentLens.Operator.Domain;

/// <summary>Reads the bearer token an agent's credentials Secret holds, at crawl time so a rotation takes effect at once.</summary>
internal interface ICredentialReader
{
    /// <exception cref="CredentialException">The Secret cannot be read or holds no usable token.</exception>
    Task<BearerToken> ReadTokenAsync(SecretReference secret, CancellationToken cancellationToken);
}
