using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentLens.Bench;

/// <summary>What `dotnet-gcdump report` says of a live heap: its total, its object count and the largest types.</summary>
internal sealed partial record HeapReport(long Bytes, long Objects, string Top)
{
    public static HeapReport Parse(string report)
    {
        var lines = report.Split('\n');
        // The report lists large objects one by one, then types: add both up by type.
        var byType = lines.Select(l => Row().Match(l)).Where(m => m.Success)
            .GroupBy(m => Marker().Replace(m.Groups[3].Value, string.Empty).Trim())
            .Select(g => (Type: g.Key, Bytes: g.Sum(m => Number(m.Groups[1].Value)), Count: g.Sum(m => Number(m.Groups[2].Value))))
            .OrderByDescending(t => t.Bytes).Take(15);
        return new HeapReport(Leading(lines, "GC Heap bytes"), Leading(lines, "GC Heap objects"),
            string.Join('\n', byType.Select(t => $"{t.Bytes,14:N0} {t.Count,9:N0}  {t.Type}")));
    }

    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(\S.*)$")]
    private static partial Regex Row();

    [GeneratedRegex(@"\(Bytes > [^)]*\)")]
    private static partial Regex Marker();

    private static long Number(string text) => long.Parse(text.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>The number that starts the line naming <paramref name="label"/> (digits with thousands separators).</summary>
    private static long Leading(string[] lines, string label) =>
        lines.FirstOrDefault(l => l.Contains(label, StringComparison.Ordinal)) is { } line
        && long.TryParse(line.Trim().Split(' ')[0].Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : 0;
}
