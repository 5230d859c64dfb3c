namespace AgentLens.Operator;

/// <summary>Every log message the operator writes, source-generated, in one place.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "AgentLens Operator starting against {Server} (store namespace {StoreNamespace}, poll interval {PollInterval})")]
    public static partial void Starting(ILogger logger, string server, string storeNamespace, TimeSpan pollInterval);

    [LoggerMessage(2, LogLevel.Information, "AgentLens Operator stopped")]
    public static partial void Stopped(ILogger logger);
}
