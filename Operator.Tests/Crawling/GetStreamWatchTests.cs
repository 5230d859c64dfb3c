using System.Net;
using AgentLens.Operator.Crawling;

namespace AgentLens.Operator.Tests.Crawling;

/// <summary>A session's GET stream that is refused, read to its end or given up on is known to be over; nothing else is.</summary>
[TestFixture]
public sealed class GetStreamWatchTests
{
    private sealed class Answering(HttpStatusCode status, byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new ByteArrayContent(body) });
    }

    private static (HttpClient Client, GetStreamWatch Watch) Client(HttpStatusCode status, string body = "")
    {
        var watch = new GetStreamWatch(new Answering(status, System.Text.Encoding.UTF8.GetBytes(body)));
        return (new HttpClient(watch), watch);
    }

    [Test]
    public async Task ARefusedGetStream_IsOver()
    {
        var (client, watch) = Client(HttpStatusCode.MethodNotAllowed);
        using var _ = client;

        using var response = await client.GetAsync("http://127.0.0.1:9/mcp", HttpCompletionOption.ResponseHeadersRead);

        Assert.That(watch.Ended.IsCompleted, Is.True);
    }

    [Test]
    public async Task AGetStreamReadToItsEnd_IsOver_NotBefore()
    {
        var (client, watch) = Client(HttpStatusCode.OK, "event: message\ndata: {}\n\n");
        using var _ = client;
        using var response = await client.GetAsync("http://127.0.0.1:9/mcp", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4];

        var first = await body.ReadAsync(buffer);
        var openAfterARead = watch.Ended.IsCompleted;
        while (await body.ReadAsync(buffer) > 0)
        {
        }

        Assert.That(first, Is.EqualTo(4));
        Assert.That(openAfterARead, Is.False);
        Assert.That(watch.Ended.IsCompleted, Is.True);
    }

    [Test]
    public async Task AGetStreamGivenUp_IsOver()
    {
        var (client, watch) = Client(HttpStatusCode.OK, "event: message\ndata: {}\n\n");
        using var _ = client;
        var response = await client.GetAsync("http://127.0.0.1:9/mcp", HttpCompletionOption.ResponseHeadersRead);
        var open = watch.Ended.IsCompleted;

        response.Dispose();

        Assert.That(open, Is.False);
        Assert.That(watch.Ended.IsCompleted, Is.True);
    }

    [Test]
    public async Task PostsAnsweredOrRefused_SayNothingAboutTheStream()
    {
        var (client, watch) = Client(HttpStatusCode.NotFound, "{}");
        using var _ = client;

        using (var response = await client.PostAsync("http://127.0.0.1:9/mcp", new StringContent("{}")))
        {
            await response.Content.ReadAsStringAsync();
        }

        Assert.That(watch.Ended.IsCompleted, Is.False);
    }
}
