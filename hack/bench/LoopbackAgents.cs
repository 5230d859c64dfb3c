using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentLens.Bench;

/// <summary>
/// Many A2A agents on loopback, one port each, served by one Kestrel: each answers its card after its own
/// latency; the "dead" ones accept the connection and never answer.
/// </summary>
internal sealed class LoopbackAgents : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackAgents(WebApplication app, IReadOnlyList<int> ports)
    {
        this.app = app;
        Ports = ports;
    }

    public IReadOnlyList<int> Ports { get; }

    public static async Task<LoopbackAgents> StartAsync(int count, Func<int, TimeSpan?> latencyOf)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < count; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        var indexOfPort = new Dictionary<int, int>();
        app.MapGet("/.well-known/agent-card.json", async (HttpContext context) =>
        {
            var index = indexOfPort[context.Connection.LocalPort];
            if (latencyOf(index) is not { } latency)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return Results.Empty;
            }

            await Task.Delay(latency, context.RequestAborted);
            return Results.Text($$"""{"name":"agent-{{index}}","version":"1.0.0","protocolVersion":"0.3.0","url":"http://127.0.0.1:{{context.Connection.LocalPort}}/a2a","skills":[{"id":"s{{index}}","name":"Skill {{index}}","tags":["bench"]}]}""", "application/json");
        });
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            indexOfPort[ports[i]] = i;
        }

        return new LoopbackAgents(app, ports);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(cts.Token);
        await app.DisposeAsync();
    }
}
