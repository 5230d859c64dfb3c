using System.ComponentModel;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// A real MCP server for tests: the official C# SDK over Streamable HTTP at /mcp, speaking 2026-07-28 only.
// Usage: dotnet AgentLens.McpAgent.dll [port] [name]   (port 0 = any free port; prints "listening <port>")
var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 0;
var name = args.Length > 1 ? args[1] : "tickets-mcp";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
builder.Services.AddMcpServer(options =>
{
    options.ServerInfo = new Implementation { Name = name, Version = "3.1.0" };
    options.ProtocolVersion = "2026-07-28";
}).WithHttpTransport(http => http.Stateless = true).WithTools<TicketTools>();
var app = builder.Build();
app.MapMcp("/mcp");
await app.StartAsync();
var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
Console.WriteLine($"listening {bound}");
await app.WaitForShutdownAsync();

[McpServerToolType]
internal sealed class TicketTools
{
    [McpServerTool(Name = "find_ticket"), Description("Finds a ticket by its id")]
    public static string FindTicket(string id) => $"ticket {id}";

    [McpServerTool(Name = "close_ticket"), Description("Closes a ticket")]
    public static string CloseTicket(string id) => $"closed {id}";
}
