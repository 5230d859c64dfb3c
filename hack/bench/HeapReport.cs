using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentLens.Bench;

/// <summary>What `dotnet-gcdump report` says of a live heap: its total, its object count and the bytes and objects of each type.</summary>
internal sealed partial record HeapReport(long Bytes, long Objects, IReadOnlyDictionary<string, (long Bytes, long Count)> ByType)
{
    /// <summary>The largest types, one a line.</summary>
    public string Top => string.Join('\n', ByType.OrderByDescending(t => t.Value.Bytes).Take(15).Select(t => $"{t.Value.Bytes,14:N0} {t.Value.Count,9:N0}  {t.Key}"));

    public static HeapReport Parse(string report)
    {
        var lines = report.Split('\n');
        // A row gives the average size of one object of the type and how many there are; the report lists
        // large objects by size class, then the rest: add both up by type.
        var byType = lines.Select(l => Row().Match(l)).Where(m => m.Success)
            .GroupBy(m => Marker().Replace(m.Groups[3].Value, string.Empty).Trim())
            .ToDictionary(g => g.Key, g => (Bytes: g.Sum(m => Number(m.Groups[1].Value) * Number(m.Groups[2].Value)), Count: g.Sum(m => Number(m.Groups[2].Value))), StringComparer.Ordinal);
        return new HeapReport(Leading(lines, "GC Heap bytes"), Leading(lines, "GC Heap objects"), byType);
    }

    /// <summary>
    /// The live heap of <paramref name="pid"/> by type; null when dotnet-gcdump is not installed as a global tool.
    /// Taking it runs a full blocking GC in that process first, so RSS read right after is the settled figure.
    /// </summary>
    public static async Task<HeapReport?> CollectAsync(int pid)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        if (!File.Exists(tool))
        {
            return null;
        }

        var file = Path.Combine(Path.GetTempPath(), $"agentlens-{pid}-{Environment.TickCount64}.gcdump");
        await CatalogBenchmark.Run(tool, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file);
        var report = await CatalogBenchmark.Run(tool, "report", file);
        File.Delete(file);
        return Parse(report);
    }

    /// <summary>The types that grew most from <paramref name="before"/> to this heap, in bytes per <paramref name="per"/> (a watcher, say).</summary>
    public string GrowthPer(HeapReport before, int per, int top) => string.Join('\n', ByType
        .Select(t => (Type: t.Key, Bytes: t.Value.Bytes - before.ByType.GetValueOrDefault(t.Key).Bytes, Count: t.Value.Count - before.ByType.GetValueOrDefault(t.Key).Count))
        .OrderByDescending(t => t.Bytes).Take(top)
        .Select(t => $"{t.Bytes / (double)per,10:F0} B {t.Count / (double)per,6:F2}x  {(t.Type.Length > 110 ? t.Type[..110] + "…" : t.Type)}"));

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
