using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>One HTTP request of the crawler, with its limits.</summary>
internal sealed record FetchRequest
{
    public HttpMethod Method { get; init; } = HttpMethod.Get;
    public required string Url { get; init; }
    public required TimeSpan Timeout { get; init; }
    public string Accept { get; init; } = "application/json";
    public ReadOnlyMemory<byte>? JsonBody { get; init; }
    public ImmutableDictionary<string, string> Headers { get; init; } = ImmutableDictionary<string, string>.Empty;
    public string? BearerTokenFile { get; init; }

    /// <summary>A credentials Secret's token: sent to <see cref="Url"/> only, never after a redirect.</summary>
    public BearerToken? BearerToken { get; init; }

    public string? IfNoneMatch { get; init; }
    public string? IfModifiedSince { get; init; }

    /// <summary>False: a redirect is a failure (a jku's keys must come from the URL that was checked).</summary>
    public bool FollowRedirects { get; init; } = true;
}

/// <summary>An HTTP answer whose body, if any, was read within the size cap.</summary>
internal sealed record FetchResponse(HttpStatusCode Status, ReadOnlyMemory<byte> Body, string? MediaType, string? ETag, string? LastModified, string? SessionId)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// The crawler's only door to the network: a typed <see cref="HttpClient"/> that connects only to addresses
/// the <see cref="AddressPolicy"/> allows, reads headers first and the body through a size cap, follows at
/// most N redirects and only within the same origin (scheme, host and port), applies one timeout to the
/// whole exchange (a body trickling a byte a second ends on time), and turns every failure into a
/// <see cref="CrawlFailure"/> instead of throwing. No failure message ever carries response body bytes.
/// </summary>
internal sealed class HttpFetcher(HttpClient http, TimeProvider time, CrawlOptions crawl)
{
    private const int MaxTokenFileBytes = 16 * 1024;
    private readonly IReadOnlyList<string> tokenDirectories = crawl.EffectiveTokenDirectories;

    public async Task<(FetchResponse? Response, CrawlFailure? Failure)> SendAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(request.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var url = request.Url;
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var message = await BuildAsync(request, url, tokenDirectories, linked.Token);
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                if (IsRedirect(response.StatusCode))
                {
                    var target = response.Headers.Location is { } location ? new Uri(new Uri(url), location) : null;
                    if (target is null)
                    {
                        return Fail(CrawlFailureReason.Redirect, $"{url} answered {(int)response.StatusCode} without a Location");
                    }

                    if (!request.FollowRedirects)
                    {
                        return Fail(CrawlFailureReason.Redirect, $"{url} answered {(int)response.StatusCode}; redirects are not followed here");
                    }

                    var origin = new Uri(url);
                    if (!string.IsNullOrEmpty(target.UserInfo))
                    {
                        return Fail(CrawlFailureReason.Redirect, $"{url} redirects to a URL with credentials; refused");
                    }

                    if (target.Scheme != origin.Scheme || !string.Equals(target.Host, origin.Host, StringComparison.OrdinalIgnoreCase) || target.Port != origin.Port)
                    {
                        return Fail(CrawlFailureReason.Redirect, $"{url} redirects to another origin ({target.Scheme}://{target.Authority}); only same-origin redirects are followed");
                    }

                    if (redirects >= crawl.MaxRedirects)
                    {
                        return Fail(CrawlFailureReason.Redirect, $"{request.Url} redirected more than {crawl.MaxRedirects} times");
                    }

                    url = target.ToString();
                    request = request with { BearerToken = null };
                    continue;
                }

                return await ReadAsync(response, url, linked.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Fail(CrawlFailureReason.Timeout, $"{url} did not answer within {Domain.Duration.Format(request.Timeout)}");
        }
        catch (HttpRequestException e) when (e.InnerException is DeniedAddressException denied)
        {
            return Fail(CrawlFailureReason.DeniedAddress, $"{url}: {denied.Message}");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException)
        {
            return Fail(CrawlFailureReason.Tls, $"TLS with {url} failed: {e.Message}");
        }
        catch (HttpRequestException e)
        {
            return Fail(CrawlFailureReason.Network, $"{url}: {e.Message}");
        }
        catch (IOException e)
        {
            return Fail(CrawlFailureReason.Network, $"{url}: {e.Message}");
        }
        catch (TokenFileException e)
        {
            return Fail(CrawlFailureReason.Configuration, $"cannot use the bearer token file: {e.Message}");
        }
    }

    private async Task<(FetchResponse?, CrawlFailure?)> ReadAsync(HttpResponseMessage response, string url, CancellationToken cancellationToken)
    {
        var headers = response.Headers;
        var content = response.Content.Headers;
        var etag = headers.ETag?.ToString();
        var lastModified = content.LastModified?.ToString("R", CultureInfo.InvariantCulture);
        var sessionId = headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.FirstOrDefault() : null;
        var mediaType = content.ContentType?.MediaType;
        if ((int)response.StatusCode is < 200 or >= 300)
        {
            return (new FetchResponse(response.StatusCode, ReadOnlyMemory<byte>.Empty, mediaType, etag, lastModified, sessionId), null);
        }

        if (content.ContentLength > crawl.MaxBytes)
        {
            return Fail(CrawlFailureReason.TooLarge, $"{url} announces {content.ContentLength} bytes; the limit is {crawl.MaxBytes}");
        }

        var body = await ReadCappedAsync(response.Content, cancellationToken);
        return body is null
            ? Fail(CrawlFailureReason.TooLarge, $"{url} sent more than {crawl.MaxBytes} bytes")
            : (new FetchResponse(response.StatusCode, body.Value, mediaType, etag, lastModified, sessionId), null);
    }

    /// <summary>Reads at most MaxBytes; returns null as soon as the body is longer, without reading on.</summary>
    private async Task<ReadOnlyMemory<byte>?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(crawl.MaxBytes + 1, 64 * 1024));
        try
        {
            using var body = new MemoryStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (body.Length + read > crawl.MaxBytes)
                {
                    return null;
                }

                body.Write(buffer, 0, read);
            }

            return body.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<HttpRequestMessage> BuildAsync(FetchRequest request, string url, IReadOnlyList<string> tokenDirectories, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(request.Method, url);
        message.Headers.Accept.ParseAdd(request.Accept);
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.BearerTokenFile is { } tokenFile)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenFile.ReadAsync(tokenFile, tokenDirectories, MaxTokenFileBytes, cancellationToken));
        }
        else if (request.BearerToken is { } token)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Reveal());
        }

        if (request.IfNoneMatch is { } etag)
        {
            message.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (request.IfModifiedSince is { } since)
        {
            message.Headers.TryAddWithoutValidation("If-Modified-Since", since);
        }

        if (request.JsonBody is { } body)
        {
            message.Content = new ReadOnlyMemoryContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return message;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static (FetchResponse?, CrawlFailure?) Fail(CrawlFailureReason reason, string message) => (null, new CrawlFailure(reason, message));

    private static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The handler behind the typed client: no automatic redirects, no cookies, bounded connections.</summary>
    public static SocketsHttpHandler CreateHandler(CrawlOptions crawl) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.All,
        MaxConnectionsPerServer = crawl.PerHostConcurrency,
        ConnectTimeout = crawl.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        // An agent is fetched once a cycle, minutes apart, and its few requests within a cycle follow each
        // other at once: an idle connection kept for the next cycle only holds a socket and its buffers
        // (1,949 of them, about 16 MB of the live heap, at 2,000 agents).
        PooledConnectionIdleTimeout = IdleConnectionTimeout,
        MaxResponseHeadersLength = 64,
        ConnectCallback = new AddressPolicy(crawl).ConnectAsync,
    };
}
