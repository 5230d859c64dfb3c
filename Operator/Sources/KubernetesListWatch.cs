using System.Net;
using System.Runtime.CompilerServices;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Sources;

/// <summary>
/// What every <see cref="IListWatch{T}"/> over the Kubernetes client shares: a page and a watch stream put in
/// our terms (410 Gone becomes <see cref="ResourceExpiredException"/>), and objects made lean on the way in.
/// </summary>
internal static class KubernetesListWatch
{
    /// <summary>How long the server holds one watch open before ending it (it is then resumed from its version).</summary>
    public const int WatchSeconds = 300;

    public static ObjectKey KeyOf(IMetadata<V1ObjectMeta> item) => new(item.Metadata?.NamespaceProperty, item.Metadata?.Name ?? "");

    public static string? VersionOf(IMetadata<V1ObjectMeta> item) => item.Metadata?.ResourceVersion;

    /// <summary>
    /// Drops what no consumer reads and what costs the most to hold: managedFields are often the largest
    /// part of a small object (controller-runtime: 16 KiB per object, 6 KiB without them).
    /// </summary>
    public static T Lean<T>(T item)
        where T : IMetadata<V1ObjectMeta>
    {
        if (item.Metadata is { } metadata)
        {
            metadata.ManagedFields = null;
        }

        return item;
    }

    /// <summary>One page; a 410 (the continue token outlived the server's history) becomes ours.</summary>
    public static async Task<ListPage<T>> PageAsync<T>(Func<Task<(IList<T>? Items, V1ListMeta? Metadata)>> list)
        where T : class, IMetadata<V1ObjectMeta>
    {
        try
        {
            var (items, metadata) = await list();
            var next = metadata?.ContinueProperty;
            return new ListPage<T>([.. (items ?? []).Select(Lean)], metadata?.ResourceVersion ?? "", string.IsNullOrEmpty(next) ? null : next);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceExpiredException("the list's continue token has expired (410 Gone)", e);
        }
    }

    /// <summary>
    /// A client watch as our events. The client reports a broken stream through its error callback and then
    /// ends the enumeration; that becomes an exception here, so an ended watch and a broken one differ.
    /// An error event (the server's 410 Gone, or its watch cache reset) means the version is unusable.
    /// </summary>
    public static async IAsyncEnumerable<WatchEvent<T>> EventsAsync<T>(
        Func<Action<Exception>, IAsyncEnumerable<(WatchEventType, T)>> watch, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IMetadata<V1ObjectMeta>
    {
        Exception? failure = null;
        var events = watch(e => failure ??= e).GetAsyncEnumerator(cancellationToken);
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
                catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
                {
                    throw new ResourceExpiredException("the watch's resourceVersion has expired (410 Gone)", e);
                }

                var (type, item) = events.Current;
                switch (type)
                {
                    case WatchEventType.Error:
                        throw new ResourceExpiredException("the watch reported an error event (410 Gone or a reset watch cache)");
                    case WatchEventType.Bookmark when item is not null:
                        yield return new WatchEvent<T>(WatchEventKind.Bookmark, item);
                        break;
                    case WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted when item?.Metadata?.Name is not null:
                        yield return new WatchEvent<T>(Kind(type), Lean(item));
                        break;
                }
            }
        }

        if (failure is not null)
        {
            // The client reports the server's error event (410 "too old resource version") as a KubernetesException.
            throw failure is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone } or KubernetesException { Status.Code: (int)HttpStatusCode.Gone }
                ? new ResourceExpiredException($"the watch's resourceVersion has expired (410 Gone: {failure.Message})", failure)
                : failure;
        }
    }

    private static WatchEventKind Kind(WatchEventType type) => type switch
    {
        WatchEventType.Added => WatchEventKind.Added,
        WatchEventType.Deleted => WatchEventKind.Deleted,
        _ => WatchEventKind.Modified,
    };
}
