namespace AgentLens.Operator.Crawling;

/// <summary>
/// A read-only, forward-only view over a response body, for the handlers that bound how a client we do not
/// drive ourselves reads it (<see cref="CappedResponseHandler"/>, <see cref="DeadlineHandler"/>): they differ
/// only in how a read is done.
/// </summary>
internal abstract class ResponseBodyStream(Stream inner) : Stream
{
    protected Stream Inner => inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Gives <paramref name="response"/> <paramref name="body"/> (read from its content) as its content, headers kept.</summary>
    public static void Replace(HttpResponseMessage response, ResponseBodyStream body)
    {
        var original = response.Content;
        var replaced = new StreamContent(body);
        foreach (var header in original.Headers)
        {
            replaced.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replaced;
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
