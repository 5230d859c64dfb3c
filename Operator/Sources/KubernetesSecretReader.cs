using System.Net;
using System.Text;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Sources;

/// <summary>
/// Reads an agent's bearer token from its credentials Secret (key <c>token</c>) with a plain get, at each
/// crawl, so a rotated token is used at once and nothing is cached. Failures name the Secret and the key;
/// the API server's own words and the Secret's content never go into a message.
/// </summary>
internal sealed class KubernetesSecretReader(IKubernetes client) : ICredentialReader
{
    private const int MaxTokenBytes = 16 * 1024;

    public async Task<BearerToken> ReadTokenAsync(SecretReference secret, CancellationToken cancellationToken)
    {
        V1Secret found;
        try
        {
            found = await client.CoreV1.ReadNamespacedSecretAsync(secret.Name, secret.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e)
        {
            var status = e.Response?.StatusCode;
            throw new CredentialException(status switch
            {
                HttpStatusCode.NotFound => $"the credentials Secret {secret} does not exist",
                HttpStatusCode.Forbidden => $"the operator may not read the credentials Secret {secret} (the chart grants get secrets only with crawl.credentialsSecrets)",
                _ => $"reading the credentials Secret {secret} failed ({(int?)status ?? 0})",
            });
        }
        catch (HttpRequestException)
        {
            throw new CredentialException($"reading the credentials Secret {secret} failed: the API server is unreachable");
        }

        if (found.Data?.TryGetValue(Annotations.CredentialsSecretKey, out var bytes) != true || bytes is null || bytes.Length == 0)
        {
            throw new CredentialException($"the credentials Secret {secret} has no key '{Annotations.CredentialsSecretKey}'");
        }

        if (bytes.Length > MaxTokenBytes)
        {
            throw new CredentialException($"the credentials Secret {secret}'s '{Annotations.CredentialsSecretKey}' is larger than {MaxTokenBytes / 1024} KiB");
        }

        // A token is one header value: whitespace around it (a trailing newline from a file) is not part of it.
        var token = Encoding.UTF8.GetString(bytes).Trim();
        if (token.Length == 0 || token.Any(c => char.IsControl(c) || c > '~'))
        {
            throw new CredentialException($"the credentials Secret {secret}'s '{Annotations.CredentialsSecretKey}' is not a single-line ASCII token");
        }

        return new BearerToken(token);
    }
}
