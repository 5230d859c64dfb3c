namespace AgentLens.Operator.Crawling;

/// <summary>
/// Puts every request of a client we do not drive ourselves (the MCP SDK's) inside our deadlines, whatever
/// token the caller passed — none, for the SDK's session close: each request, headers and body, ends at
/// <c>perRequest</c> or when <c>budget</c> is cancelled, whichever comes first. A read of the body after that
/// fails with <see cref="OperationCanceledException"/>, so it is classified as the timeout it is.
/// </summary>
internal sealed class DeadlineHandler(HttpMessageHandler inner, TimeSpan perRequest, CancellationToken budget) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget);
        deadline.CancelAfter(perRequest);
        try
        {
            var response = await base.SendAsync(request, deadline.Token);
            // The body is read after this returns: the same deadline goes with it, and ends with it.
            ResponseBodyStream.Replace(response, new DeadlineStream(await response.Content.ReadAsStreamAsync(deadline.Token), deadline));
            return response;
        }
        catch
        {
            deadline.Dispose();
            throw;
        }
    }

    private sealed class DeadlineStream(Stream inner, CancellationTokenSource deadline) : ResponseBodyStream(inner)
    {
        // A synchronous read cannot take a token; the SDK reads asynchronously, so this is only for completeness.
        public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!cancellationToken.CanBeCanceled)
            {
                return await Inner.ReadAsync(buffer, deadline.Token);
            }

            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            return await Inner.ReadAsync(buffer, both.Token);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                deadline.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
