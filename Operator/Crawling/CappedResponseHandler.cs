namespace AgentLens.Operator.Crawling;

/// <summary>A response body that went past the crawler's size cap; the read that would pass it fails.</summary>
internal sealed class ResponseTooLargeException : IOException
{
    public ResponseTooLargeException()
        : this("the response is larger than the limit")
    {
    }

    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Puts the crawler's byte cap under a client we do not read ourselves (the MCP SDK's): every response body,
/// JSON or an event stream, fails with <see cref="ResponseTooLargeException"/> as soon as more than
/// <c>maxBytes</c> were read, so an endless stream costs at most the cap. Also the cap on what a federation
/// member's kube-apiserver sends (a list, or one watch stream), inside the Kubernetes client's own handler chain.
/// </summary>
internal sealed class CappedResponseHandler : DelegatingHandler
{
    private readonly long maxBytes;
    private int exceeded;

    /// <summary>A handler for a chain that sets its inner handler itself (the Kubernetes client's).</summary>
    public CappedResponseHandler(long maxBytes) => this.maxBytes = maxBytes;

    public CappedResponseHandler(long maxBytes, HttpMessageHandler inner)
        : base(inner) => this.maxBytes = maxBytes;

    /// <summary>Whether any response went past the cap — even if the reader swallowed the failure.</summary>
    public bool Exceeded => Volatile.Read(ref exceeded) == 1;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            response.Dispose();
            Volatile.Write(ref exceeded, 1);
            throw new ResponseTooLargeException($"the response announces {response.Content.Headers.ContentLength} bytes; the limit is {maxBytes}");
        }

        ResponseBodyStream.Replace(response, new CappedStream(await response.Content.ReadAsStreamAsync(cancellationToken), maxBytes, () => Volatile.Write(ref exceeded, 1)));
        return response;
    }

    private sealed class CappedStream(Stream inner, long maxBytes, Action onExceeded) : ResponseBodyStream(inner)
    {
        private long total;

        public override long Position { get => total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(Inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await Inner.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            total += read;
            if (total > maxBytes)
            {
                onExceeded();
                throw new ResponseTooLargeException($"the response sent more than {maxBytes} bytes");
            }

            return read;
        }
    }
}
