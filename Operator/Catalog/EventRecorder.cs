namespace AgentLens.Operator.Catalog;

/// <summary>The object an Event is about.</summary>
internal sealed record EventTarget(string Kind, string Namespace, string Name, string? Uid, string? ResourceVersion);

/// <summary>Records Kubernetes Events; never fails the caller.</summary>
internal interface IEventRecorder
{
    Task RecordAsync(EventTarget target, string reason, string message, bool warning, CancellationToken cancellationToken);
}

/// <summary>
/// Core v1 Events, rate-limited so a flapping agent or a flood of bad Services cannot flood the API server
/// nor silence another team's Events: <see cref="EventBudget"/> decides (repeats of the same content per
/// object, a budget per namespace, an overall cap). What is dropped is counted by reason and limit; what
/// fails to be written is logged.
/// </summary>
internal sealed class KubernetesEventRecorder(IKubernetes client, TimeProvider time, Metrics metrics, ILogger<KubernetesEventRecorder> logger) : IEventRecorder
{
    public static readonly TimeSpan PerObjectInterval = EventBudget.PerObjectInterval;
    private readonly EventBudget budget = new(time);
    private int dropped;

    public int Dropped => Volatile.Read(ref dropped);

    public async Task RecordAsync(EventTarget target, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        message = message.Length > 1024 ? message[..1024] : message;
        if (budget.Admit(target, reason, message) is { } drop)
        {
            Interlocked.Increment(ref dropped);
            metrics.EventDropped(reason, drop.ToString().ToLowerInvariant());
            return;
        }

        var now = time.GetUtcNow();
        var stamp = CatalogJson.Truncate(now).UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = $"{target.Name}.", NamespaceProperty = target.Namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = target.Kind,
                Name = target.Name,
                NamespaceProperty = target.Namespace,
                Uid = target.Uid,
                ResourceVersion = target.ResourceVersion,
            },
            Reason = reason,
            Message = message,
            Type = warning ? "Warning" : "Normal",
            Source = new V1EventSource { Component = Domain.Annotations.ManagedByValue },
            ReportingComponent = Domain.Annotations.ManagedByValue,
            ReportingInstance = Environment.MachineName,
            FirstTimestamp = stamp,
            LastTimestamp = stamp,
            Count = 1,
        };
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(ev, target.Namespace, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.EventFailed(logger, reason, target.Namespace, target.Name, e.Message);
        }
    }
}
