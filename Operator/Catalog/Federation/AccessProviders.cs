using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// The hub's credential providers for ClusterProfiles (<c>--federation-access-providers</c>), in the cluster
/// inventory API's consumer format: <c>{"providers":[{"name":"…","execConfig":{"apiVersion":"client.authentication.k8s.io/v1","command":"…","args":[…],"env":[{"name":"…","value":"…"}]}}]}</c>.
/// The commands are the hub operator's own configuration: a ClusterProfile only names which one to use, so
/// whoever may write ClusterProfiles cannot make the hub run anything else.
/// </summary>
internal sealed class AccessProviders
{
    public static AccessProviders None { get; } = new() { Providers = [] };

    public IList<ProviderConfig> Providers { get; set; } = [];

    public ProviderConfig? Find(string? name) => Providers.FirstOrDefault(p => p.Name == name);

    /// <exception cref="InvalidOperationException">The file cannot be read or is not a provider list (the message says which).</exception>
    public static AccessProviders Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return None;
        }

        try
        {
            var providers = JsonSerializer.Deserialize<AccessProviders>(File.ReadAllText(path), Options) ?? None;
            if (providers.Providers.Any(p => string.IsNullOrEmpty(p.Name) || string.IsNullOrEmpty(p.ExecConfig?.Command)))
            {
                throw new InvalidOperationException($"{path}: every provider needs a name and an execConfig.command");
            }

            return providers;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidOperationException($"{path}: not a readable access provider list ({e.GetType().Name})", e);
        }
    }

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };
}

internal sealed class ProviderConfig
{
    public string? Name { get; set; }

    public ExecConfig? ExecConfig { get; set; }
}

internal sealed class ExecConfig
{
    public string ApiVersion { get; set; } = "client.authentication.k8s.io/v1";

    public string? Command { get; set; }

    public IList<string> Args { get; set; } = [];

    public IList<EnvVar> Env { get; set; } = [];
}

internal sealed class EnvVar
{
    public string? Name { get; set; }

    public string? Value { get; set; }
}
