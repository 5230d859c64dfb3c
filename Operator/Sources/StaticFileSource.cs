using AgentLens.Operator.Domain;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentLens.Operator.Sources;

/// <summary>
/// Agents listed in a YAML file (mounted from a ConfigMap), re-read every cycle so edits need no restart:
/// <code>
/// sources:
///   - {name, type, url, team, tags, timeout, headers, bearerTokenFile}
/// </code>
/// <c>url</c> is a card URL (it ends in <c>.json</c>) or a base URL, to which the protocol's default card
/// paths are appended. A file with any problem is rejected whole: the last good one stays in force and the
/// problem is logged with its line and field; with no last good file the source fails for the cycle.
/// A missing file means no static agents. YAML anchors and aliases are refused (no expansion bombs), and
/// parsing runs off the loop with a time bound. A <c>bearerTokenFile</c> must lie under an allowed directory.
/// </summary>
internal sealed class StaticFileSource(SourceOptions options, Metrics metrics, ILogger<StaticFileSource> logger) : IAgentSource
{
    private const long MaxFileBytes = 1024 * 1024;
    private static readonly TimeSpan ParseBudget = TimeSpan.FromSeconds(5);
    private readonly IReadOnlyList<string> tokenDirectories = options.TokenDirectories;
    private readonly TimeProvider time = TimeProvider.System;
    private static readonly HashSet<string> KnownKeys = ["name", "type", "url", "team", "tags", "timeout", "headers", "bearerTokenFile"];
    private readonly string path = options.StaticSourcesPath;
    private IReadOnlyList<DiscoveredAgent>? lastGood;

    public string Name => "static";

    public SourceType Type => SourceType.Static;

    /// <summary>The problem with the file as last read, or null when it was good.</summary>
    public string? LastProblem { get; private set; }

    public async Task<IReadOnlyList<DiscoveredAgent>> DiscoverAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            Log.StaticSourcesMissing(logger, path);
            LastProblem = null;
            return lastGood = [];
        }

        string text;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes)
            {
                return Reject($"the file is larger than {MaxFileBytes} bytes");
            }

            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (IOException e)
        {
            return Reject($"cannot read it: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return Reject($"cannot read it: {e.Message}");
        }

        IReadOnlyList<DiscoveredAgent> agents;
        List<string> problems;
        try
        {
            (agents, problems) = await Task.Run(() => Parse(text, tokenDirectories), cancellationToken).WaitAsync(ParseBudget, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return Reject($"parsing took longer than {Duration.Format(ParseBudget)}");
        }

        if (problems.Count > 0)
        {
            return Reject(string.Join("; ", problems));
        }

        if (LastProblem is not null || lastGood is null || lastGood.Count != agents.Count)
        {
            Log.StaticSourcesLoaded(logger, path, agents.Count);
        }

        LastProblem = null;
        return lastGood = agents;
    }

    private IReadOnlyList<DiscoveredAgent> Reject(string problem)
    {
        LastProblem = problem;
        metrics.SourceError(Name, "InvalidConfig");
        if (lastGood is null)
        {
            throw new SourceException("InvalidConfig", $"static sources file {path} is invalid and there is no earlier good version: {problem}");
        }

        Log.StaticSourcesInvalid(logger, path, lastGood.Count, problem);
        return lastGood;
    }

    /// <summary>The agents a file lists, or every problem found in it (each with its line and field).</summary>
    internal static (IReadOnlyList<DiscoveredAgent> Agents, List<string> Problems) Parse(string text, IReadOnlyList<string>? tokenDirectories = null)
    {
        tokenDirectories ??= TokenFile.DefaultDirectories;
        var problems = new List<string>();
        var agents = new List<DiscoveredAgent>();
        var yaml = new YamlStream();
        try
        {
            if (FirstAnchorOrAlias(text) is { } line)
            {
                return (agents, [$"line {line}: YAML anchors and aliases are not allowed in the static sources file"]);
            }

            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return (agents, [$"line {e.Start.Line}: not valid YAML: {e.Message}"]);
        }

        if (yaml.Documents.Count == 0)
        {
            return (agents, problems);
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (agents, ["line 1: the file must be a mapping with a 'sources' list"]);
        }

        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value != "sources"))
        {
            problems.Add($"line {key.Start.Line}: unknown field '{key.Value}' (expected 'sources')");
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("sources"), out var sourcesNode) || IsNull(sourcesNode))
        {
            return (agents, problems);
        }

        if (sourcesNode is not YamlSequenceNode sources)
        {
            return (agents, [.. problems, $"line {sourcesNode.Start.Line}: 'sources' must be a list"]);
        }

        var names = new Dictionary<string, long>(StringComparer.Ordinal);
        var index = -1;
        foreach (var item in sources)
        {
            index++;
            var at = $"line {item.Start.Line}: sources[{index}]";
            if (item is not YamlMappingNode entry)
            {
                problems.Add($"{at}: each source must be a mapping");
                continue;
            }

            var agent = ParseEntry(entry, at, problems, tokenDirectories);
            if (agent is null)
            {
                continue;
            }

            if (names.TryGetValue(agent.Source.Name, out var firstLine))
            {
                problems.Add($"{at}.name: duplicate name '{agent.Source.Name}' (first used at line {firstLine})");
                continue;
            }

            names[agent.Source.Name] = item.Start.Line;
            agents.Add(agent);
        }

        return (agents, problems);
    }

    /// <summary>The line of the first anchor or alias, found in one linear pass over the parser's events.</summary>
    private static long? FirstAnchorOrAlias(string text)
    {
        var parser = new Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.AnchorAlias || parser.Current is YamlDotNet.Core.Events.NodeEvent { Anchor.IsEmpty: false })
            {
                return parser.Current.Start.Line;
            }
        }

        return null;
    }

    private static DiscoveredAgent? ParseEntry(YamlMappingNode entry, string at, List<string> problems, IReadOnlyList<string> tokenDirectories)
    {
        var before = problems.Count;
        foreach (var key in entry.Children.Keys.OfType<YamlScalarNode>().Where(k => !KnownKeys.Contains(k.Value ?? string.Empty)))
        {
            problems.Add($"line {key.Start.Line}: {at[(at.IndexOf(':', StringComparison.Ordinal) + 2)..]}: unknown field '{key.Value}' (known: {string.Join(", ", KnownKeys)})");
        }

        string? Scalar(string key, bool required = false)
        {
            if (!entry.Children.TryGetValue(new YamlScalarNode(key), out var node) || IsNull(node))
            {
                if (required)
                {
                    problems.Add($"{at}.{key}: required");
                }

                return null;
            }

            if (node is YamlScalarNode scalar)
            {
                return scalar.Value;
            }

            problems.Add($"line {node.Start.Line}: {Field(at, key)}: must be a single value");
            return null;
        }

        var name = Scalar("name", required: true)?.Trim();
        if (name is { Length: 0 })
        {
            problems.Add($"{at}.name: must not be empty");
        }

        var typeText = Scalar("type", required: true);
        var protocol = Protocol.A2a;
        if (typeText is not null && !ProtocolNames.TryParse(typeText, out protocol))
        {
            problems.Add($"{at}.type: '{typeText}' is not one of a2a, mcp, a2ui");
        }

        var url = Scalar("url", required: true);
        string? endpoint = null;
        ImmutableArray<string> cardUrls = [];
        if (url is not null)
        {
            if (!AgentEndpoint.TryNormalize(url, out var normalized, out var error))
            {
                problems.Add($"{at}.url: {error}");
            }
            else if (new Uri(normalized).AbsolutePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                // A card URL: the agent is at the base before a well-known card path (else at the card URL), the
                // card exactly where it says.
                endpoint = WellKnownPaths.IdentityFromCardUrl(normalized);
                cardUrls = [url.Trim()];
            }
            else
            {
                endpoint = normalized;
                cardUrls = WellKnownPaths.CardUrls(protocol, normalized, null);
            }
        }

        TimeSpan? timeout = null;
        if (Scalar("timeout") is { } timeoutText)
        {
            if (Duration.TryParse(timeoutText, out var parsed) && parsed > TimeSpan.Zero && parsed <= TimeSpan.FromMinutes(10))
            {
                timeout = parsed;
            }
            else
            {
                problems.Add($"{at}.timeout: '{timeoutText}' is not a duration between 1ms and 10m (e.g. 5s)");
            }
        }

        var tags = ImmutableArray<string>.Empty;
        if (entry.Children.TryGetValue(new YamlScalarNode("tags"), out var tagsNode) && !IsNull(tagsNode))
        {
            switch (tagsNode)
            {
                case YamlScalarNode scalar:
                    tags = TagList.Parse(scalar.Value);
                    break;
                case YamlSequenceNode list when list.All(t => t is YamlScalarNode):
                    tags = TagList.Parse(list.Cast<YamlScalarNode>().Select(t => t.Value));
                    break;
                default:
                    problems.Add($"line {tagsNode.Start.Line}: {Field(at, "tags")}: must be a list of strings or a comma-separated string");
                    break;
            }
        }

        var headers = ImmutableDictionary<string, string>.Empty;
        if (entry.Children.TryGetValue(new YamlScalarNode("headers"), out var headersNode) && !IsNull(headersNode))
        {
            if (headersNode is YamlMappingNode map && map.Children.All(kv => kv.Key is YamlScalarNode && kv.Value is YamlScalarNode))
            {
                headers = map.Children.ToImmutableDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? string.Empty);
                foreach (var bad in headers.Keys.Where(h => h.Length == 0 || h.Any(c => c <= ' ' || c == ':' || c > '~')))
                {
                    problems.Add($"line {headersNode.Start.Line}: {Field(at, "headers")}: '{bad}' is not a valid header name");
                }
            }
            else
            {
                problems.Add($"line {headersNode.Start.Line}: {Field(at, "headers")}: must map header names to values");
            }
        }

        var team = Scalar("team")?.Trim();
        var bearerTokenFile = Scalar("bearerTokenFile")?.Trim();
        if (!string.IsNullOrEmpty(bearerTokenFile) && !TokenFile.IsUnder(bearerTokenFile, tokenDirectories))
        {
            problems.Add($"{at}.bearerTokenFile: '{bearerTokenFile}' is not under an allowed directory ({string.Join(", ", tokenDirectories)}; see --crawl-token-directories)");
        }

        if (problems.Count > before || name is null || endpoint is null)
        {
            return null;
        }

        return new DiscoveredAgent
        {
            Protocol = protocol,
            Endpoint = endpoint,
            CardUrls = cardUrls,
            McpUrl = protocol == Protocol.Mcp ? WellKnownPaths.McpUrl(endpoint, null) : null,
            Source = new SourceRef { Type = SourceType.Static, Name = name },
            Team = string.IsNullOrEmpty(team) ? null : team,
            Tags = tags,
            Timeout = timeout,
            Headers = headers,
            BearerTokenFile = string.IsNullOrEmpty(bearerTokenFile) ? null : bearerTokenFile,
        };
    }

    private static string Field(string at, string key) => at[(at.IndexOf(':', StringComparison.Ordinal) + 2)..] + "." + key;

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain };
}
