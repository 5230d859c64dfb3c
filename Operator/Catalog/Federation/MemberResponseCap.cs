using AgentLens.Operator.Crawling;

namespace AgentLens.Operator.Catalog.Federation;

/// <summary>
/// The byte cap on everything a member sends: a list bigger than the cap, or a watch stream that went past it,
/// fails with <see cref="ResponseTooLargeException"/> (the watch is then reopened from its version), so a member
/// answering endlessly costs at most the cap and never another member's share.
/// </summary>
internal sealed class MemberResponseCap(long maxBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            response.Dispose();
            throw new ResponseTooLargeException($"the member's response announces more than the limit of {maxBytes} bytes");
        }

        ResponseBodyStream.Replace(response, new Capped(await response.Content.ReadAsStreamAsync(cancellationToken), maxBytes));
        return response;
    }

    private sealed class Capped(Stream inner, long maxBytes) : ResponseBodyStream(inner)
    {
        private long total;

        public override long Position { get => total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(Inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await Inner.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            total += read;
            return total > maxBytes ? throw new ResponseTooLargeException($"the member's response went past the limit of {maxBytes} bytes") : read;
        }
    }
}
