using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

/// <summary>A watched object reduced to what the engine reads: a name and a version.</summary>
internal sealed record Item(string Name, string Version);

/// <summary>
/// A hand-written list/watch: lists page through <see cref="Server"/> (<see cref="PageSize"/> at a time);
/// every watch is handed to the test (<see cref="NextWatchAsync"/>), which sends its events, breaks or ends it.
/// </summary>
internal sealed class FakeListWatch : IListWatch<Item>
{
    private readonly Channel<FakeWatch> watches = Channel.CreateUnbounded<FakeWatch>();
    private int failLists;

    public SortedDictionary<string, Item> Server { get; } = new(StringComparer.Ordinal);

    public int PageSize { get; set; } = 2;

    public string ServerVersion { get; set; } = "100";

    /// <summary>The continue token of every list call, null for a first page.</summary>
    public ConcurrentQueue<string?> ListCalls { get; } = new();

    public ConcurrentQueue<string> WatchCalls { get; } = new();

    /// <summary>The next list call with a continue token answers 410.</summary>
    public bool ExpireNextContinue { get; set; }

    public string Resource => "items";

    public string Scope => "the fake";

    /// <summary>The next <paramref name="count"/> list calls fail as an unreachable server would.</summary>
    public void FailLists(int count) => Volatile.Write(ref failLists, count);

    public void Put(string name, string version)
    {
        lock (Server)
        {
            Server[name] = new Item(name, version);
        }
    }

    public void Remove(string name)
    {
        lock (Server)
        {
            Server.Remove(name);
        }
    }

    public Task<ListPage<Item>> ListPageAsync(int limit, string? continueToken, CancellationToken cancellationToken)
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
            return Task.FromResult(new ListPage<Item>([.. all.Skip(start).Take(PageSize)], ServerVersion, next));
        }
    }

    public async IAsyncEnumerable<WatchEvent<Item>> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchCalls.Enqueue(resourceVersion);
        var watch = new FakeWatch(resourceVersion);
        watches.Writer.TryWrite(watch);
        await foreach (var step in watch.Steps.Reader.ReadAllAsync(cancellationToken))
        {
            if (step is Exception e)
            {
                throw e;
            }

            yield return (WatchEvent<Item>)step;
        }
    }

    /// <summary>The next watch the engine opens (bounded: a hung engine fails the test).</summary>
    public async Task<FakeWatch> NextWatchAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await watches.Reader.ReadAsync(bound.Token);
    }

    public bool HasPendingWatch => watches.Reader.Count > 0;

    public ObjectKey KeyOf(Item item) => new(null, item.Name);

    public string? VersionOf(Item item) => item.Version;
}

internal sealed class FakeWatch(string from)
{
    public string From { get; } = from;

    public Channel<object> Steps { get; } = Channel.CreateUnbounded<object>();

    public void Send(WatchEventKind kind, string name, string version) => Steps.Writer.TryWrite(new WatchEvent<Item>(kind, new Item(name, version)));

    public void Bookmark(string version) => Send(WatchEventKind.Bookmark, "", version);

    public void Break(Exception e) => Steps.Writer.TryWrite(e);

    public void End() => Steps.Writer.TryComplete();
}
