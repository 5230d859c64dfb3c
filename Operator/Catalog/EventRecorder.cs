using System.Collections.Concurrent;

namespace AgentLens.Operator.Catalog;

/// <summary>The object an Event is about.</summary>
internal sealed record EventTarget(string Kind, string Namespace, string Name, string? Uid, string? ResourceVersion);

/// <summary>Records Kubernetes Events; never fails the caller.</summary>
internal interface IEventRecorder
{
    Task RecordAsync(EventTarget target, string reason, string message, bool warning, CancellationToken cancellationToken);
}

/// <summary>
/// Core v1 Events, rate-limited so a flapping agent cannot flood the API server: the same reason on the same
/// object at most once per <see cref="PerObjectInterval"/>, and at most <see cref="Burst"/> Events per
/// minute in all. What is dropped is only counted; what fails to be written is logged.
/// </summary>
internal sealed class KubernetesEventRecorder(IKubernetes client, TimeProvider time, ILogger<KubernetesEventRecorder> logger) : IEventRecorder
{
    public static readonly TimeSpan PerObjectInterval = TimeSpan.FromMinutes(5);
    public const int Burst = 100;
    private readonly ConcurrentDictionary<(string, string, string), DateTimeOffset> lastSent = new();
    private readonly Lock budgetLock = new();
    private DateTimeOffset windowStart;
    private int sentInWindow;

    private int dropped;

    public int Dropped => Volatile.Read(ref dropped);

    public async Task RecordAsync(EventTarget target, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = (target.Namespace, target.Name, reason);
        if (lastSent.TryGetValue(key, out var last) && now - last < PerObjectInterval || !TakeBudget(now))
        {
            Interlocked.Increment(ref dropped);
            return;
        }

        lastSent[key] = now;
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
            Message = message.Length > 1024 ? message[..1024] : message,
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

    private bool TakeBudget(DateTimeOffset now)
    {
        lock (budgetLock)
        {
            if (now - windowStart >= TimeSpan.FromMinutes(1))
            {
                windowStart = now;
                sentInWindow = 0;
            }

            return ++sentInWindow <= Burst;
        }
    }
}
