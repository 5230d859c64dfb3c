using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>Runs the host and turns start-up failures into a clear message and a non-zero exit code.</summary>
internal static class OperatorHost
{
    public const int ExitInvalidConfiguration = 2;

    /// <summary>
    /// Builds the app, maps its endpoints and runs it. Building is inside the guard: the listeners are set up
    /// from the bound options while the app is built, so a bad option surfaces there, named like any other.
    /// </summary>
    public static async Task<int> RunAsync(WebApplicationBuilder builder, Action<WebApplication> map)
    {
        try
        {
            await using var app = builder.Build();
            map(app);
            await app.StartAsync();
            if (Environment.ExitCode != 0)
            {
                return Environment.ExitCode;
            }

            var options = app.Services.GetRequiredService<IOptions<OperatorOptions>>().Value;
            var config = app.Services.GetRequiredService<KubernetesClientConfiguration>();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentLens.Operator");
            Log.Starting(logger, config.Host, app.Services.GetRequiredService<Catalog.StoreNamespace>().Name, options.PollInterval);
            await app.WaitForShutdownAsync();
            Log.Stopped(logger);
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"agentlens-operator: invalid configuration: {string.Join("; ", e.Failures)}");
            return ExitInvalidConfiguration;
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException format)
        {
            await Console.Error.WriteLineAsync($"agentlens-operator: invalid configuration: {e.Message} {format.Message}");
            return ExitInvalidConfiguration;
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            await Console.Error.WriteLineAsync($"agentlens-operator: no usable Kubernetes configuration: {e.Message}");
            return ExitInvalidConfiguration;
        }
    }
}
