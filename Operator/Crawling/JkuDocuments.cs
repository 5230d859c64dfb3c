using System.Text;
using System.Text.Json;

namespace AgentLens.Operator.Crawling;

/// <summary>The keys a <c>jku</c> gave, or why it gave none (never its body's bytes).</summary>
internal sealed record JkuDocument(ImmutableArray<TrustedKey> Keys, string? Problem);

/// <summary>
/// One cycle's <c>jku</c> documents: each URL fetched once, by a fetch that belongs to no agent — it runs
/// under its own timeout (the crawl timeout) only, so an agent whose budget ends while it waits stops
/// waiting without failing the fetch for the others that name the same URL. A fetch still running when
/// the next cycle starts is left to end by that timeout: a targeted reconcile may still be waiting on it. At most
/// <see cref="TrustOptions.MaxJkuPerCycle"/> distinct URLs are fetched per cycle: a path-prefix entry
/// allows endless distinct URLs, and each costs a request.
/// </summary>
internal sealed class JkuDocuments(HttpFetcher fetcher, CrawlOptions crawl, int limit)
{
    private readonly Dictionary<string, Task<JkuDocument>> documents = new(StringComparer.Ordinal);

    public int Limit => limit;

    /// <summary>The URL's keys, shared with every other caller this cycle; null when the cycle's limit is reached.</summary>
    public Task<JkuDocument>? Get(Uri url)
    {
        var key = url.AbsoluteUri;
        Task<JkuDocument> fetch;
        lock (documents)
        {
            if (documents.TryGetValue(key, out var known))
            {
                return known;
            }

            if (documents.Count >= limit)
            {
                return null;
            }

            // Queued, not run here: the lock covers only the bookkeeping, not the fetch's first synchronous steps.
            fetch = Task.Run(() => FetchAsync(key));
            documents.Add(key, fetch);
        }

        return fetch;
    }

    private async Task<JkuDocument> FetchAsync(string url)
    {
        try
        {
            // No redirects: a same-origin redirect could leave the allowed path.
            var (response, failure) = await fetcher.SendAsync(new FetchRequest { Url = url, Timeout = crawl.Timeout, Accept = "application/jwk-set+json, application/json", FollowRedirects = false }, CancellationToken.None);
            if (response is null)
            {
                return new([], failure!.Message);
            }

            if (!response.IsSuccess)
            {
                return new([], $"it answered {(int)response.Status}");
            }

            // Keys from an allowed jku are trusted for the agents its allow entry covers: the entry is the platform team's word.
            return new([.. TrustRoots.Parse(Encoding.UTF8.GetString(response.Body.Span)).Select(k => k with { Namespaces = [], Teams = [] })], null);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or OperationCanceledException)
        {
            return new([], $"it is not a JWKS document ({e.GetType().Name})");
        }
    }
}
