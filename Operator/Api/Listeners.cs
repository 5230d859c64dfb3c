using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AgentLens.Operator.Api;

/// <summary>
/// Which listener a request came in on. Each listener tags its connections, so a path is answered only on the
/// listener it belongs to: the catalog API never on the metrics port, /metrics never on the AgentType port.
/// </summary>
internal static class Listeners
{
    private const string Key = "agentlens.listener";

    /// <summary>Tags every connection of <paramref name="listen"/> with <paramref name="name"/>.</summary>
    public static void Tag(ListenOptions listen, string name) => listen.Use(next => connection =>
    {
        connection.Items[Key] = name;
        return next(connection);
    });

    public static bool On(HttpContext context, string name) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(Key, out var tag) == true && (string?)tag == name;
}
