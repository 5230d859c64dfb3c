using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentLens.Bench;

/// <summary>
/// Many A2A agents on loopback served by one Kestrel: <c>perPort</c> agents share each port under paths
/// <c>/a{j}</c> (one agent per port, at its root, when 1) — many agents behind one gateway origin, as an
/// entry's identity includes its path. Each answers its card after its own latency; the "dead" ones accept
/// the connection and never answer.
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

    public int PerPort { get; private init; } = 1;

    /// <summary>Agent <paramref name="index"/>'s port and path (empty at a port's root).</summary>
    public (int Port, string Path) Address(int index) => (Ports[index / PerPort], PerPort == 1 ? string.Empty : $"/a{index % PerPort}");

    public static async Task<LoopbackAgents> StartAsync(int count, Func<int, TimeSpan?> latencyOf, int perPort = 1)
    {
        var ports = (count + perPort - 1) / perPort;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < ports; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        var indexOfPort = new Dictionary<int, int>();
        async Task<IResult> Card(HttpContext context, int slot)
        {
            var index = (indexOfPort[context.Connection.LocalPort] * perPort) + slot;
            if (latencyOf(index) is not { } latency)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return Results.Empty;
            }

            await Task.Delay(latency, context.RequestAborted);
            return Results.Text($$"""{"name":"agent-{{index}}","version":"1.0.0","protocolVersion":"0.3.0","url":"http://127.0.0.1:{{context.Connection.LocalPort}}/a2a","skills":[{"id":"s{{index}}","name":"Skill {{index}}","tags":["bench"]}]}""", "application/json");
        }

        app.MapGet("/.well-known/agent-card.json", (HttpContext context, CancellationToken _) => Card(context, 0));
        app.MapGet("/a{slot:int}/.well-known/agent-card.json", (HttpContext context, int slot) => Card(context, slot));
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).ToList();
        for (var i = 0; i < bound.Count; i++)
        {
            indexOfPort[bound[i]] = i;
        }

        return new LoopbackAgents(app, bound) { PerPort = perPort };
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(cts.Token);
        await app.DisposeAsync();
    }
}
