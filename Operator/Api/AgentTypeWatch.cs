using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using AgentLens.Operator.Catalog;

namespace AgentLens.Operator.Api;

/// <summary>What a watch of AgentTypes asked for.</summary>
internal sealed record WatchRequest(CatalogFilter Filter, string StoreNamespace, bool Table, AgentTypeObjects.RowObject Include, bool Bookmarks, string? ResourceVersion, TimeSpan? Timeout, string? Namespace = null);

/// <summary>
/// A Kubernetes watch of AgentTypes: newline-delimited <c>{"type":…,"object":…}</c> events. Without a
/// resourceVersion (or with "0") it starts with ADDED for every entry that matches; with one of this cache's
/// it replays every change after it; with one the history no longer reaches (or from another replica or
/// run) it sends an ERROR event with a 410 Expired Status, and the client relists, as client-go does.
/// Events are classified by the watcher's filter as the SSE stream classifies them (an entry entering the
/// filter is ADDED, one leaving it DELETED); BOOKMARKs carry the latest version when the client allows them.
/// </summary>
internal sealed class AgentTypeWatch(WatchRequest request, ICatalogView feed, WireIds ids, WatchAdmission watchers, string user, TimeSpan bookmarkInterval, TimeProvider time) : IResult, IWatchWriter
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMinutes(30);
    private bool columnsSent;

    /// <summary>The longest watch: a client's timeoutSeconds beyond it is cut to it.</summary>
    public static TimeSpan MaxTimeout { get; } = MinTimeout * 2;

    public async Task ExecuteAsync(HttpContext http)
    {
        // A watch of one namespace holds a slot of that namespace's share; one of all namespaces was
        // authorized at the cluster scope and may use the reserve.
        var admission = watchers.TryEnter(user, request.Namespace is { } ns ? [ns] : null);
        if (admission.Lease is null)
        {
            http.RequestServices.GetRequiredService<ReadApiLogs>().WatchRefused(admission.Refusal!);
            http.Response.Headers.RetryAfter = admission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await AgentTypeObjects.Status(429, "TooManyRequests", admission.Refusal!).ExecuteAsync(http);
            return;
        }

        using (admission.Lease)
        {
            await StreamAsync(http);
        }
    }

    private async Task StreamAsync(HttpContext http)
    {
        long? from = null;
        var expired = false;
        if (request.ResourceVersion is { } rv && rv != "0")
        {
            expired = !ids.TryParseResourceVersion(rv, out var v);
            from = v;
        }

        var start = expired ? null : feed.Subscribe(from);
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        if (start is null || start.TooOld)
        {
            // The client relists, as client-go does on 410.
            start?.Subscriber.Dispose();
            var body = http.Response.BodyWriter;
            Write(body, "ERROR", AgentTypeObjects.StatusBytes(410, "Expired", $"too old resource version: {request.ResourceVersion}"));
            await body.FlushAsync(http.RequestAborted);
            return;
        }

        // Kubernetes ends watches after a random 30–60 minutes (its min-request-timeout) so clients spread
        // their re-watches; a client's own timeoutSeconds ends it sooner.
        var timeout = request.Timeout ?? MinTimeout + TimeSpan.FromSeconds(Random.Shared.Next(0, (int)MinTimeout.TotalSeconds));
        using var deadline = new CancellationTokenSource(timeout, time);
        await WatchPump.RunAsync(http, start, request.Filter, this, bookmarkInterval, time, deadline.Token);
    }

    void IWatchWriter.Begin(PipeWriter body, Subscription start)
    {
    }

    void IWatchWriter.SnapshotEntry(PipeWriter body, StoredEntry entry, Subscription start) => WriteEntry(body, "ADDED", entry, feed.VersionOf(entry));

    void IWatchWriter.SnapshotDone(PipeWriter body, Subscription start)
    {
    }

    void IWatchWriter.Change(PipeWriter body, string type, CatalogEvent e) => WriteEntry(body, type, e.Entry, e.Version);

    void IWatchWriter.CaughtUp(PipeWriter body, long version)
    {
        if (request.Bookmarks)
        {
            WriteBookmark(body, version);
        }
    }

    bool IWatchWriter.Tick(PipeWriter body, long version)
    {
        ((IWatchWriter)this).CaughtUp(body, version);
        return request.Bookmarks;
    }

    private void WriteEntry(PipeWriter body, string type, StoredEntry item, long version)
    {
        var rv = ids.ResourceVersion(version);
        var first = !columnsSent;
        columnsSent = true;
        Write(body, type, request.Table
            ? AgentTypeObjects.TableBytes([(item, rv)], rv, request.StoreNamespace, request.Include, withColumns: first, time.GetUtcNow())
            : AgentTypeObjects.ObjectBytes(item, rv, request.StoreNamespace));
    }

    private void WriteBookmark(PipeWriter body, long version) => Write(body, "BOOKMARK", AgentTypeObjects.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", request.Table ? "Table" : AgentTypeObjects.Kind);
        w.WriteString("apiVersion", request.Table ? "meta.k8s.io/v1" : AgentTypeObjects.GroupVersion);
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", ids.ResourceVersion(version));
        w.WriteEndObject();
        w.WriteEndObject();
    }));

    private static void Write(PipeWriter body, string type, byte[] objectBytes)
    {
        body.Write("{\"type\":\""u8);
        body.Write(System.Text.Encoding.UTF8.GetBytes(type));
        body.Write("\",\"object\":"u8);
        body.Write(objectBytes);
        body.Write("}\n"u8);
    }
}
