using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>Members named by Secrets labelled <c>agentlens.io/member-cluster=true</c> (see <see cref="MemberSecrets"/>).</summary>
internal sealed class SecretInventory(TimeProvider time, Metrics metrics, ILogger<SecretInventory> logger) : IMemberInventory
{
    public Task RunAsync(IKubernetes client, string @namespace, Action<string, MemberSpec?> changed, CancellationToken cancellationToken) =>
        new Reflector<V1Secret>(new MemberSecretListWatch(client, @namespace), change =>
            changed($"secret {change.Key}", change.Kind == WatchEventKind.Deleted ? null : MemberSecrets.Read(change.Object!)), time, metrics, logger).RunAsync(cancellationToken);
}
