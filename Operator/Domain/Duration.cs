using System.ComponentModel;
using System.Text.RegularExpressions;

namespace AgentLens.Operator.Domain;

/// <summary>
/// Durations as Kubernetes users write them (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>), also
/// accepting .NET's <c>00:05:00</c>. One parser serves options, annotations and the static sources file.
/// </summary>
internal static partial class Duration
{
    [GeneratedRegex(@"^(?:(?<h>\d+(?:\.\d+)?)h)?(?:(?<m>\d+(?:\.\d+)?)m(?!s))?(?:(?<s>\d+(?:\.\d+)?)s)?(?:(?<ms>\d+(?:\.\d+)?)ms)?$")]
    private static partial Regex GoStyle();

    public static bool TryParse(string? value, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        value = value.Trim();
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }

        var match = GoStyle().Match(value);
        if (!match.Success || value.Length == 0)
        {
            return false;
        }

        double Part(string group) => match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        duration = TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s")) + TimeSpan.FromMilliseconds(Part("ms"));
        return true;
    }

    /// <summary>Lets configuration binding read durations in this form everywhere a TimeSpan is bound.</summary>
    public static void RegisterForConfigurationBinding() =>
        TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0}ms"
        : value.TotalSeconds < 60 ? $"{value.TotalSeconds:0.###}s"
        : value.ToString("c", CultureInfo.InvariantCulture);

    private sealed class DurationConverter : TimeSpanConverter
    {
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
            value is string text
                ? TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a duration (e.g. 30s, 5m, 1h30m)")
                : base.ConvertFrom(context, culture, value);
    }
}
