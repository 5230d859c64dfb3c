using AgentLens.Operator.Api;
using AgentLens.Operator.Api.Registry;
using AgentLens.Operator.Domain;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// The operator's HTTP surface, each on its own listener as kubebuilder lays it out: /metrics on the metrics
/// address (:8080), /healthz and /readyz on the probe address (:8081), and the reader APIs' listeners. Each
/// listener tags its connections (<see cref="Listeners"/>), so a path is answered only on the listener it belongs to.
/// </summary>
internal static class OperatorEndpoints
{
    public const string MetricsListener = "metrics";
    public const string ProbesListener = "probes";

    public static void AddOperatorEndpoints(this WebApplicationBuilder builder)
    {
        // Requests run on Kestrel's I/O threads instead of queueing behind the thread pool's work: a burst of
        // a thousand watchers must not keep a probe waiting (measured with make bench-watch). Every handler
        // here is asynchronous, so nothing blocks those threads.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The bound, validated options: a bad value anywhere fails start-up here with every problem named.
            var services = kestrel.ApplicationServices;
            var options = services.GetRequiredService<IOptions<OperatorOptions>>().Value;
            // kube-apiserver proxies every watch of the AgentType API over a few HTTP/2 connections: let each
            // carry as many streams as there may be watchers (Kestrel's default is 100).
            kestrel.Limits.Http2.MaxStreamsPerConnection = 4096;
            Listen(kestrel, options.HealthProbeBindAddress, ProbesListener);
            Listen(kestrel, options.MetricsBindAddress, MetricsListener);

            // A one-shot run serves no clients.
            if (options.Once)
            {
                return;
            }

            Listen(kestrel, options.Api.BindAddress, CatalogApi.Listener);
            if (!ListenAddress.IsOff(options.ApiServer.BindAddress))
            {
                // TLS for the aggregation layer, its handshakes bounded (see TlsHandshakes).
                var certificate = services.GetRequiredService<ServingCertificate>();
                if (certificate.IsSelfSigned)
                {
                    Log.SelfSignedServingCertificate(services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentLens.Operator.AgentTypeApi"), options.ApiServer.BindAddress);
                }

                Listen(kestrel, options.ApiServer.BindAddress, AgentTypeApi.Listener,
                    listen => listen.UseAgentTypeTls(certificate, options.ApiServer.EffectiveMaxConcurrentHandshakes, services.GetRequiredService<TimeProvider>()));
            }

            if (options.Registry.IsOn)
            {
                // HTTPS when given a certificate (IDEs refuse plain http:// registries), with the same bounded handshakes.
                var certificate = services.GetService<RegistryCertificate>()?.Certificate;
                if (certificate is null)
                {
                    Log.RegistryPlainHttp(services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentLens.Operator.RegistryApi"), options.Registry.BindAddress);
                }

                Listen(kestrel, options.Registry.BindAddress, RegistryApi.Listener, certificate is null ? null
                    : listen => listen.UseAgentTypeTls(certificate, options.ApiServer.EffectiveMaxConcurrentHandshakes, services.GetRequiredService<TimeProvider>()));
            }
        });
        builder.WebHost.UseKestrelHttpsConfiguration();
        // The runtime's own meter too (dotnet_gc_*, dotnet_process_*): the live heap and the GC's committed memory beside RSS.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(Metrics.MeterName, Metrics.RuntimeMeterName).AddPrometheusExporter();
            // One view for all: a second matching view would add a second stream. Each stream preallocates its
            // cardinality limit's points (2,000 by default: 7.5 MB for our 52 instruments, measured); ours have
            // a few labels of a few values each, and a series past the limit is kept as the overflow series.
            metrics.AddView(instrument => Metrics.RuntimeInstrumentsLeftOut.Contains(instrument.Name)
                ? MetricStreamConfiguration.Drop
                : new MetricStreamConfiguration { CardinalityLimit = Metrics.SeriesPerInstrument });
        });
        builder.Services.AddSingleton<ApiServerReachability>();
    }

    public static void MapOperatorEndpoints(this WebApplication app)
    {
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => Listeners.On(context, MetricsListener) && context.Request.Path == "/metrics");
        var probes = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
            Listeners.On(context.HttpContext, ProbesListener) ? await next(context) : Results.NotFound());
        probes.MapGet("/healthz", (OperatorHealth health, IOptions<OperatorOptions> options) =>
        {
            var o = options.Value;
            // A cycle is bounded by its crawl budget plus one agent's budget (see docs/security.md), so a
            // leader that finished nothing for three intervals beyond that bound really is stuck.
            var limit = (o.PollInterval * 3) + o.Crawl.CycleBudget + o.Crawl.AgentBudget;
            return health.IsStuck(limit)
                ? Results.Text($"discovery loop stuck: no cycle finished since {health.LastCycleFinished:u} (limit {Duration.Format(limit)})", statusCode: 500)
                : Results.Text("ok");
        });
        probes.MapGet("/readyz", async (ApiServerReachability api, CancellationToken ct) =>
        {
            var problem = await api.CheckAsync(ct);
            return problem is null ? Results.Text("ok") : Results.Text($"API server not reachable: {problem}", statusCode: 503);
        });
    }

    /// <summary>Listens on <paramref name="address"/> unless it is off (<see cref="ListenAddress"/>), tagging its connections.</summary>
    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string address, string listener, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? tls = null)
    {
        // An address that does not parse was already refused by validation; off means no listener.
        if (ListenAddress.TryParse(address, out var endpoint))
        {
            kestrel.Listen(endpoint, listenOptions =>
            {
                Listeners.Tag(listenOptions, listener);
                tls?.Invoke(listenOptions);
            });
        }
    }
}
