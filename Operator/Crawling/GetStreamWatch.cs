namespace AgentLens.Operator.Crawling;

/// <summary>
/// Tells when a session's standalone GET stream is over — refused, read to its end, or dropped. The SDK client,
/// with reconnection off and no event ids from the server, stops reading such a stream quietly: the session
/// stays open and <c>McpClient.Completion</c> never resolves, so a subscription that watched only the client
/// would stay held and deaf. <see cref="McpSubscriptions"/> opens it again instead.
/// </summary>
internal sealed class GetStreamWatch(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a GET stream was refused or has ended.</summary>
    public Task Ended => ended.Task;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method != HttpMethod.Get)
        {
            return response;
        }

        if (!response.IsSuccessStatusCode)
        {
            ended.TrySetResult();
            return response;
        }

        ResponseBodyStream.Replace(response, new WatchedStream(await response.Content.ReadAsStreamAsync(cancellationToken), () => ended.TrySetResult()));
        return response;
    }

    private sealed class WatchedStream(Stream inner, Action onEnd) : ResponseBodyStream(inner)
    {
        public override int Read(byte[] buffer, int offset, int count) => Seen(Inner.Read(buffer, offset, count), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Seen(await Inner.ReadAsync(buffer, cancellationToken), buffer.Length);

        protected override void Dispose(bool disposing)
        {
            // The reader gave up on it, whatever the reason: a failed read ends in a dispose too.
            onEnd();
            base.Dispose(disposing);
        }

        private int Seen(int read, int asked)
        {
            if (read == 0 && asked > 0)
            {
                onEnd();
            }

            return read;
        }
    }
}
