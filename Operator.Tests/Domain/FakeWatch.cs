using System.Threading.Channels;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Domain;

/// <summary>One watch the engine opened on a <see cref="FakeListWatch{T}"/>: the test sends its events, breaks or ends it.</summary>
internal sealed class FakeWatch<T>(string from)
    where T : class
{
    public string From { get; } = from;

    public Channel<object> Steps { get; } = Channel.CreateUnbounded<object>();

    public void Send(WatchEventKind kind, T item) => Steps.Writer.TryWrite(new WatchEvent<T>(kind, item));

    public void Break(Exception e) => Steps.Writer.TryWrite(e);

    public void End() => Steps.Writer.TryComplete();
}

internal static class FakeItemWatch
{
    public static void Send(this FakeWatch<Item> watch, WatchEventKind kind, string name, string version) => watch.Send(kind, new Item(name, version));

    public static void Bookmark(this FakeWatch<Item> watch, string version) => watch.Send(WatchEventKind.Bookmark, "", version);
}
