namespace AgentLens.Operator.Domain;

/// <summary>What a watch says happened to one object; a bookmark only moves the resourceVersion on.</summary>
internal enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>An object's identity in a list or a watch: its namespace (null when cluster-scoped) and name.</summary>
internal readonly record struct ObjectKey(string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}

/// <summary>One page of a list: its items, the snapshot's resourceVersion and the token for the next page (null on the last).</summary>
internal sealed record ListPage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);

/// <summary>One event of a watch; a bookmark's object carries only its resourceVersion.</summary>
internal sealed record WatchEvent<T>(WatchEventKind Kind, T Object);

/// <summary>
/// One change a <see cref="Reflector{T}"/> tells its consumer. <see cref="Object"/> is null only for a deletion
/// found by a relist (the object is gone; its key is all there is). <see cref="Initial"/> marks what the first
/// list delivered: the state at start, not news.
/// </summary>
internal sealed record ListWatchChange<T>(WatchEventKind Kind, ObjectKey Key, T? Object, bool Initial);

/// <summary>
/// The resourceVersion asked for is gone from the API server's history (410 Gone, or a watch's error event):
/// only a fresh list can say what the state is now.
/// </summary>
internal sealed class ResourceExpiredException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One kind of object, as the engine needs it: list one page, watch from a resourceVersion, and name an
/// object's key and version. Ours, so the engine has no Kubernetes client in it and tests fake it by hand;
/// each watched kind implements it in a few lines (over the Kubernetes client: Sources/KubernetesListWatch.cs).
/// </summary>
internal interface IListWatch<T>
    where T : class
{
    /// <summary>Which kind, for logs and the metrics' <c>resource</c> label (a fixed word: "leases", "services").</summary>
    string Resource { get; }

    /// <summary>Where it is watched, for logs ("namespace x", "all namespaces").</summary>
    string Scope { get; }

    /// <summary>One page; throws <see cref="ResourceExpiredException"/> when the continue token has expired.</summary>
    Task<ListPage<T>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken);

    /// <summary>
    /// Events after <paramref name="resourceVersion"/>, bookmarks included, until the server ends the watch;
    /// throws <see cref="ResourceExpiredException"/> when that version is too old, anything else when broken.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, CancellationToken cancellationToken);

    ObjectKey KeyOf(T item);

    string? VersionOf(T item);
}
