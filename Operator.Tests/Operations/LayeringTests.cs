using System.Text.RegularExpressions;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Operations;

/// <summary>
/// The folders follow the data path (Domain &lt; Cards &lt; Crawling = Sources &lt; Catalog &lt; Reconciliation = Api
/// &lt; Hosting): a folder never names one to its right, so Hosting wires and nothing else knows it.
/// </summary>
[TestFixture]
public sealed partial class LayeringTests
{
    private static readonly Dictionary<string, int> Rank = new(StringComparer.Ordinal)
    {
        ["Domain"] = 0,
        ["Cards"] = 1,
        ["Crawling"] = 2,
        ["Sources"] = 2,
        ["Catalog"] = 3,
        ["Reconciliation"] = 4,
        ["Api"] = 4,
        ["Hosting"] = 5,
    };

    [GeneratedRegex(@"using AgentLens\.Operator\.(?<folder>Domain|Cards|Crawling|Sources|Catalog|Reconciliation|Api|Hosting)\b|\b(?<folder>Domain|Cards|Crawling|Sources|Catalog|Reconciliation|Api|Hosting)\.[A-Z]")]
    private static partial Regex Reference();

    [Test]
    public void EveryReference_FollowsTheDataPath()
    {
        var against = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Repo.Path("Operator"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repo.Path("Operator"), file).Replace('\\', '/');
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : null;
            int mine;
            if (folder is not null && Rank.TryGetValue(folder, out var rank))
            {
                mine = rank;
            }
            else if (relative is "Log.cs" or "Metrics.cs")
            {
                // The shared log and metric declarations may use Domain only: every layer calls them.
                mine = 0;
            }
            else
            {
                continue;
            }

            var code = string.Join('\n', File.ReadLines(file).Select(l => Regex.Replace(l, "//.*$", string.Empty)).Select(l => Regex.Replace(l, "\"([^\"\\\\]|\\\\.)*\"", string.Empty)));
            foreach (var name in Reference().Matches(code).Select(m => m.Groups["folder"].Value).Distinct())
            {
                var sameRankSibling = folder is not null && name != folder && Rank[name] == mine && mine is 2 or 4;
                if (name != folder && (Rank[name] > mine || sameRankSibling))
                {
                    against.Add($"Operator/{relative} uses {name}");
                }
            }
        }

        Assert.That(against, Is.Empty);
    }
}
