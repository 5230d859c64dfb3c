using System.Net.Http.Headers;
using System.Text;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>One Server-Sent Event; <see cref="Comment"/> holds a comment line such as a heartbeat.</summary>
internal sealed record SseEvent(string? Id, string? Type, string? Data, string? Comment = null);

/// <summary>
/// A streaming reader for the catalog watch — the same code docs/watch.md shows: read the response line by
/// line, an event ends at a blank line.
/// </summary>
internal sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseClient(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    public System.Net.HttpStatusCode Status => response.StatusCode;

    /// <summary>The response, for its headers (Retry-After on a refusal).</summary>
    public HttpResponseMessage Response => response;

    public static async Task<SseClient> ConnectAsync(HttpClient http, string url, string? lastEventId = null, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        return new SseClient(response, reader);
    }

    /// <summary>The next event (comments included), or null when the stream ended.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        string? id = null, type = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (type is not null || data.Length > 0)
                {
                    return new SseEvent(id, type, data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                return new SseEvent(null, null, null, line[1..].Trim());
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(value); break;
            }
        }

        return null;
    }

    /// <summary>The next event that is not a comment.</summary>
    public async Task<SseEvent> NextEventAsync(TimeSpan? within = null)
    {
        while (true)
        {
            var e = await NextAsync(within ?? TimeSpan.FromSeconds(15)) ?? throw new EndOfStreamException("the watch ended");
            if (e.Comment is null)
            {
                return e;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        await Task.CompletedTask;
    }
}
