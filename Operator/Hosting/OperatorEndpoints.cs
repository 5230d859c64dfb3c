using System.Net;
using AgentLens.Operator.Api;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// The operator's HTTP surface, each on its own listener as kubebuilder lays it out: /metrics on the metrics
/// address (:8080), /healthz and /readyz on the probe address (:8081). Each listener tags its connections,
/// so a path is answered only on the listener it belongs to.
/// </summary>
internal static class OperatorEndpoints
{
    public const string MetricsListener = "metrics";
    public const string ProbesListener = "probes";
    private const string ListenerKey = "agentlens.listener";

    public static void AddOperatorEndpoints(this WebApplicationBuilder builder)
    {
        // Read raw, not bound: a bad value elsewhere in the section must surface through validation at start-up.
        var defaults = new OperatorOptions();
        var probes = builder.Configuration[$"{OperatorOptions.Section}:HealthProbeBindAddress"] ?? defaults.HealthProbeBindAddress;
        var metrics = builder.Configuration[$"{OperatorOptions.Section}:MetricsBindAddress"] ?? defaults.MetricsBindAddress;
        var api = builder.Configuration[$"{OperatorOptions.Section}:Api:BindAddress"] ?? defaults.Api.BindAddress;
        var apiServer = builder.Configuration[$"{OperatorOptions.Section}:ApiServer:BindAddress"] ?? defaults.ApiServer.BindAddress;
        var once = bool.TryParse(builder.Configuration[$"{OperatorOptions.Section}:Once"], out var o) && o;
        // Requests run on Kestrel's I/O threads instead of queueing behind the thread pool's work: a burst of
        // a thousand watchers must not keep a probe waiting (measured with make bench-watch). Every handler
        // here is asynchronous, so nothing blocks those threads.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // kube-apiserver proxies every watch of the AgentType API over a few HTTP/2 connections: let each
            // carry as many streams as there may be watchers (Kestrel's default is 100).
            kestrel.Limits.Http2.MaxStreamsPerConnection = 4096;
            Listen(kestrel, probes, ProbesListener);
            if (metrics != "0")
            {
                Listen(kestrel, metrics, MetricsListener);
            }

            // A one-shot run serves no clients.
            if (api != "0" && !once)
            {
                Listen(kestrel, api, CatalogApi.Listener);
            }

            if (apiServer != "0" && !once)
            {
                // TLS for the aggregation layer, its handshakes bounded (see TlsHandshakes).
                var services = kestrel.ApplicationServices;
                var certificate = services.GetRequiredService<ServingCertificate>();
                if (certificate.IsSelfSigned)
                {
                    Log.SelfSignedServingCertificate(services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentLens.Operator.AgentTypeApi"), apiServer);
                }

                var handshakes = services.GetRequiredService<IOptions<OperatorOptions>>().Value.ApiServer.EffectiveMaxConcurrentHandshakes;
                Listen(kestrel, apiServer, AgentTypeApi.Listener, listen => listen.UseAgentTypeTls(certificate, handshakes, services.GetRequiredService<TimeProvider>()));
            }
        });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Metrics.MeterName).AddPrometheusExporter());
        builder.Services.AddSingleton<ApiServerReachability>();
    }

    public static void MapOperatorEndpoints(this WebApplication app)
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => On(context, MetricsListener) && context.Request.Path == "/metrics");
        var probes = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
            On(context.HttpContext, ProbesListener) ? await next(context) : Results.NotFound());
        probes.MapGet("/healthz", (OperatorHealth health, IOptions<OperatorOptions> options) =>
        {
            var o = options.Value;
            // A cycle is bounded by its crawl budget plus one agent's budget (see docs/security.md), so a
            // leader that finished nothing for three intervals beyond that bound really is stuck.
            var limit = (o.PollInterval * 3) + o.Crawl.CycleBudget + o.Crawl.AgentBudget;
            return health.IsStuck(limit)
                ? Results.Text($"discovery loop stuck: no cycle finished since {health.LastCycleFinished:u} (limit {Domain.Duration.Format(limit)})", statusCode: 500)
                : Results.Text("ok");
        });
        probes.MapGet("/readyz", async (ApiServerReachability api, CancellationToken ct) =>
        {
            var problem = await api.CheckAsync(ct);
            return problem is null ? Results.Text("ok") : Results.Text($"API server not reachable: {problem}", statusCode: 503);
        });
    }

    public static bool On(HttpContext context, string listener) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerKey, out var tag) == true && (string?)tag == listener;

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string address, string listener, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? tls = null)
    {
        var colon = address.LastIndexOf(':');
        var host = colon < 0 ? string.Empty : address[..colon].Trim('[', ']');
        if (colon < 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535
            || !(host is "" or "localhost" || IPAddress.TryParse(host, out _)))
        {
            // Validation at start-up reports it by name; listening anywhere meanwhile would be wrong.
            return;
        }

        var ip = host switch
        {
            "" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.Parse(host),
        };
        kestrel.Listen(ip, port, listenOptions =>
        {
            listenOptions.Use(next => connection =>
            {
                connection.Items[ListenerKey] = listener;
                return next(connection);
            });
            tls?.Invoke(listenOptions);
        });
    }
}

/// <summary>Whether the API server answers, checked at most every few seconds however often probes come.</summary>
internal sealed class ApiServerReachability(IKubernetes client, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim gate = new(1, 1);
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;
    private string? lastProblem = "not checked yet";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - checkedAt < CacheFor)
            {
                return lastProblem;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await client.Version.GetCodeAsync(linked.Token);
                lastProblem = null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                lastProblem = e.Message;
            }

            checkedAt = time.GetUtcNow();
            return lastProblem;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}

internal static class OperatorLogging
{
    /// <summary>One line per message; JSON for log pipelines when asked (--log-format json).</summary>
    public static void AddOperatorLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration[$"{OperatorOptions.Section}:LogFormat"];
        builder.Logging.ClearProviders();
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        // Kestrel and hosting chatter stays at warnings; the operator speaks for itself.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
    }
}
