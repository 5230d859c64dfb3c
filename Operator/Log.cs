namespace AgentLens.Operator;

/// <summary>Every log message the operator writes, source-generated, in one place.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "AgentLens Operator starting against {Server} (store namespace {StoreNamespace}, poll interval {PollInterval})")]
    public static partial void Starting(ILogger logger, string server, string storeNamespace, TimeSpan pollInterval);

    [LoggerMessage(2, LogLevel.Information, "AgentLens Operator stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(10, LogLevel.Warning, "Skipping Service {Namespace}/{Name}: {Reason}: {Message}")]
    public static partial void ServiceSkipped(ILogger logger, string @namespace, string name, string reason, string message);

    [LoggerMessage(11, LogLevel.Error, "Static sources file {Path} is invalid, keeping the last good one ({Count} agents): {Problem}")]
    public static partial void StaticSourcesInvalid(ILogger logger, string path, int count, string problem);

    [LoggerMessage(12, LogLevel.Information, "Static sources file {Path} loaded: {Count} agents")]
    public static partial void StaticSourcesLoaded(ILogger logger, string path, int count);

    [LoggerMessage(13, LogLevel.Debug, "Static sources file {Path} does not exist; no static agents")]
    public static partial void StaticSourcesMissing(ILogger logger, string path);
}
