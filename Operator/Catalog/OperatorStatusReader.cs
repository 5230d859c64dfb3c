using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// The leader's <see cref="OperatorStatus"/> as any replica reads it back: the <c>agentlens-status</c>
/// ConfigMap's <c>status.json</c>. Each read is kept for <see cref="Fresh"/>, so readers polling the page
/// cost the API server one GET per replica every few seconds however many they are.
/// </summary>
internal sealed class OperatorStatusReader(IKubernetes client, StoreNamespace store, TimeProvider time)
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    /// <summary>One read is shared by every caller while fresh; it is not tied to any caller's request, so its own deadline bounds it.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private (DateTimeOffset At, Task<OperatorStatusText> Read)? kept;

    public Task<OperatorStatusText> ReadAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (kept is not { } hit || time.GetUtcNow() - hit.At >= Fresh)
            {
                hit = (time.GetUtcNow(), FetchAsync());
                kept = hit;
            }

            return hit.Read.WaitAsync(cancellationToken);
        }
    }

    private async Task<OperatorStatusText> FetchAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline, time);
        var cancellationToken = deadline.Token;
        V1ConfigMap configMap;
        try
        {
            configMap = await client.CoreV1.ReadNamespacedConfigMapAsync(CatalogNames.StatusConfigMap, store.Name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new(null, $"no cycle has finished yet: ConfigMap {store.Name}/{CatalogNames.StatusConfigMap} does not exist");
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            // Said in the answer, not thrown: the page shows the catalog and says why the cycle is unknown.
            return new(null, $"the operator's status could not be read from the Kubernetes API server ({e.GetType().Name})");
        }

        var json = (configMap.Data?.TryGetValue(CatalogNames.StatusKey, out var stored) == true ? stored : null);
        return json is not null && IsObject(json)
            ? new(json, null)
            : new(null, $"ConfigMap {store.Name}/{CatalogNames.StatusConfigMap} holds no readable {CatalogNames.StatusKey}");
    }

    // Anyone who may edit the ConfigMap may write anything into it; only a JSON object is passed on.
    private static bool IsObject(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>The stored status JSON (a JSON object), or why there is none.</summary>
internal sealed record OperatorStatusText(string? Json, string? Problem);
