namespace AgentLens.Operator.Tests.TestBed;

/// <summary>An A2A agent on loopback whose card and health a test changes at will.</summary>
internal sealed class SwitchableAgent : IAsyncDisposable
{
    private readonly LoopbackServer server;
    private volatile string card;
    private volatile int status = 200;
    private Func<Task>? onNextRequest;

    public SwitchableAgent(string name, params string[] skills)
    {
        card = Card(name, skills);
        server = new LoopbackServer(async (_, stream, ct) =>
        {
            if (Interlocked.Exchange(ref onNextRequest, null) is { } hook)
            {
                await hook();
            }

            await LoopbackServer.Respond(stream, status, status == 200 ? card : "{}", ct: ct);
        });
    }

    public string BaseUrl => server.BaseUrl;
    public int Requests => server.RequestCount;

    public void Serve(string name, params string[] skills)
    {
        card = Card(name, skills);
        status = 200;
    }

    public void Fail(int httpStatus = 503) => status = httpStatus;

    /// <summary>Runs once, while the next request is being answered: something to happen mid-crawl.</summary>
    public void OnNextRequest(Func<Task> hook) => onNextRequest = hook;

    public static string Card(string name, params string[] skills) =>
        $$"""{"name":"{{name}}","version":"1.0.0","skills":[{{string.Join(",", skills.Select(s => $$"""{"id":"{{s}}","name":"{{s}}"}"""))}}]}""";

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
