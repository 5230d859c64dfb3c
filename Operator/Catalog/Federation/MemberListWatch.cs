using System.Net;
using System.Runtime.CompilerServices;
using AgentLens.Operator.Crawling;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Sources;
using k8s.Autorest;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// One member's <c>agenttypes.agentlens.io</c>, listed and watched through the member's own kube-apiserver (its
/// RBAC and aggregation apply), for the <see cref="Reflector{T}"/>. Entries another hub federated are left out
/// by the member's server (the selector) and by <see cref="FederatedEntries"/> again. Every answer and every
/// failure is told to the member's <see cref="MemberHealth"/>; after a failure, a watch first asks the member's
/// <c>/version</c>, so a member that comes back is known at once even when it has nothing new to say.
/// </summary>
internal sealed class MemberListWatch(IKubernetes client, string cluster, MemberHealth health, TimeSpan timeout) : IListWatch<MemberAgentType>
{
    public const string Group = "agentlens.io";
    public const string Version = "v1alpha1";
    public const string Plural = "agenttypes";
    public static readonly string Selector = "!" + Annotations.FederatedByLabel;

    public string Resource => "member-agenttypes";

    public string Scope => $"cluster {cluster}";

    public async Task<ListPage<MemberAgentType>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var page = await KubernetesListWatch.PageAsync(async () =>
            {
                var list = await client.CustomObjects.ListClusterCustomObjectAsync<MemberAgentTypeList>(Group, Version, Plural, continueParameter: continueToken,
                    labelSelector: Selector, limit: limit, cancellationToken: bounded.Token);
                return (list?.Items, list?.Metadata);
            });
            health.Answered();
            return page;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not ResourceExpiredException)
        {
            throw Failed(e);
        }
    }

    public async IAsyncEnumerable<WatchEvent<MemberAgentType>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (health.State.FailingSince is not null)
        {
            await ProbeAsync(cancellationToken);
        }

        // The typed watch of a custom resource: the client's only generic way to it (the generated one yields untyped objects).
#pragma warning disable CS0618
        var events = KubernetesListWatch.EventsAsync(onError => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<MemberAgentTypeList>(Group, Version, Plural,
            allowWatchBookmarks: true, labelSelector: Selector, resourceVersion: resourceVersion, timeoutSeconds: KubernetesListWatch.WatchSeconds, watch: true,
            cancellationToken: cancellationToken).WatchAsync<MemberAgentType, MemberAgentTypeList>(onError, cancellationToken), cancellationToken).GetAsyncEnumerator(cancellationToken);
#pragma warning restore CS0618
        await using (events.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not ResourceExpiredException)
                {
                    throw Failed(e);
                }

                health.Answered();
                yield return events.Current;
            }
        }
    }

    public ObjectKey KeyOf(MemberAgentType item) => KubernetesListWatch.KeyOf(item);

    public string? VersionOf(MemberAgentType item) => KubernetesListWatch.VersionOf(item);

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await client.Version.GetCodeAsync(bounded.Token);
            health.Answered();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed(e);
        }
    }

    /// <summary>Tells the member's health what went wrong, in our words; the exception goes on to the engine's backoff.</summary>
    private IOException Failed(Exception e)
    {
        var (reason, message) = e switch
        {
            HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } h =>
                ("Forbidden", $"the member refused the hub's credentials ({(int)h.Response.StatusCode})"),
            HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable } h =>
                ("AgentTypesUnavailable", $"the member serves no agenttypes.agentlens.io ({(int)h.Response.StatusCode}): is its operator running, its APIService Available?"),
            HttpOperationException h => ("Failed", $"the member answered {(int?)h.Response?.StatusCode}"),
            ResponseTooLargeException => ("TooLarge", "the member's response went past --federation-max-bytes"),
            OperationCanceledException => ("Timeout", "the member did not answer within --federation-timeout"),
            System.Text.Json.JsonException => ("InvalidResponse", "the member's response is not an AgentType list"),
            HttpRequestException => ("Unreachable", "the member's kube-apiserver cannot be reached"),
            _ => ("Unreachable", $"the member cannot be read ({e.GetType().Name})"),
        };
        health.Failed(reason, message);
        return new IOException($"{reason}: {message}", e);
    }
}
