using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>Runs the host and turns start-up failures into a clear message and a non-zero exit code.</summary>
internal static class OperatorHost
{
    public const int ExitInvalidConfiguration = 2;

    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
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
