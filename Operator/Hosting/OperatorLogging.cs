namespace AgentLens.Operator.Hosting;

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
