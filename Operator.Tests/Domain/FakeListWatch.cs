using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

/// <summary>A watched object reduced to what the engine reads: a name and a version.</summary>
internal sealed record Item(string Name, string Version);

/// <summary>The fake over <see cref="Item"/>s, which the engine's own tests drive.</summary>
internal sealed class FakeListWatch() : FakeListWatch<Item>("items", i => new ObjectKey(null, i.Name), i => i.Version)
{
    public void Put(string name, string version) => Put(new Item(name, version));
}

/// <summary>
/// A hand-written list/watch: lists page through <see cref="Server"/> (<see cref="PageSize"/> at a time);
/// every watch is handed to the test (<see cref="NextWatchAsync"/>), which sends its events, breaks or ends it.
/// </summary>
internal class FakeListWatch<T>(string resource, Func<T, ObjectKey> keyOf, Func<T, string?> versionOf) : IListWatch<T>
    where T : class
{
    private readonly Channel<FakeWatch<T>> watches = Channel.CreateUnbounded<FakeWatch<T>>();
    private int failLists;

    public SortedDictionary<string, T> Server { get; } = new(StringComparer.Ordinal);

    public int PageSize { get; set; } = 2;

    public string ServerVersion { get; set; } = "100";

    /// <summary>The continue token of every list call, null for a first page.</summary>
    public ConcurrentQueue<string?> ListCalls { get; } = new();

    public ConcurrentQueue<string> WatchCalls { get; } = new();

    /// <summary>The next list call with a continue token answers 410.</summary>
    public bool ExpireNextContinue { get; set; }

    public string Resource => resource;

    public string Scope => "the fake";

    /// <summary>The next <paramref name="count"/> list calls fail as an unreachable server would.</summary>
    public void FailLists(int count) => Volatile.Write(ref failLists, count);

    public void Put(T item)
    {
        lock (Server)
        {
            Server[keyOf(item).Name] = item;
        }
    }

    public void Remove(string name)
    {
        lock (Server)
        {
            Server.Remove(name);
        }
    }

    public Task<ListPage<T>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken)
    {
        ListCalls.Enqueue(continueToken);
        if (Interlocked.Decrement(ref failLists) >= 0)
        {
            throw new HttpRequestException("connection refused");
        }

        Interlocked.Exchange(ref failLists, 0);
        if (continueToken is not null && ExpireNextContinue)
        {
            ExpireNextContinue = false;
            throw new ResourceExpiredException("continue token expired");
        }

        lock (Server)
        {
            var start = continueToken is null ? 0 : int.Parse(continueToken, CultureInfo.InvariantCulture);
            var all = Server.Values.ToList();
            var next = start + PageSize < all.Count ? (start + PageSize).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new ListPage<T>([.. all.Skip(start).Take(PageSize)], ServerVersion, next));
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchCalls.Enqueue(resourceVersion);
        var watch = new FakeWatch<T>(resourceVersion);
        watches.Writer.TryWrite(watch);
        await foreach (var step in watch.Steps.Reader.ReadAllAsync(cancellationToken))
        {
            if (step is Exception e)
            {
                throw e;
            }

            yield return (WatchEvent<T>)step;
        }
    }

    /// <summary>The next watch the engine opens (bounded: a hung engine fails the test).</summary>
    public async Task<FakeWatch<T>> NextWatchAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await watches.Reader.ReadAsync(bound.Token);
    }

    public bool HasPendingWatch => watches.Reader.Count > 0;

    public ObjectKey KeyOf(T item) => keyOf(item);

    public string? VersionOf(T item) => versionOf(item);
}
