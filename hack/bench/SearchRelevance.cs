using System.Text;
using System.Text.Json;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Bench;

/// <summary>
/// The relevance half of <c>make bench-search</c>: loads the labelled set (hack/bench/search, see its README), scores
/// a ranking against it, and ranks the way today's best alternative does (the substring baseline).
/// </summary>
internal static class SearchRelevance
{
    private const int NdcgDepth = 5;
    private const int CutOff = 10;

    /// <summary>The grade from which a result counts as a hit for MRR@10 and recall@10 ("useful" or better).</summary>
    private const int HitGrade = 2;

    /// <summary>
    /// Reads <c>dir/corpus.json</c> and <c>dir/queries.json</c>. Every card goes through our own parsers into the
    /// entry the catalog would store for it, so the bench indexes what the operator indexes. A set that is not
    /// sound (a card our parsers refuse, a duplicate id, a judgment of an unknown id) throws, naming the item.
    /// </summary>
    public static SearchCorpus Load(string dir)
    {
        var entries = new List<StoredEntry>();
        using (var corpus = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "corpus.json"))))
        {
            foreach (var item in corpus.RootElement.EnumerateArray())
            {
                entries.Add(Entry(item));
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!ids.Add(SearchCorpus.IdOf(entry)))
            {
                throw new InvalidDataException($"corpus.json: the id '{SearchCorpus.IdOf(entry)}' appears twice");
            }
        }

        var queries = new List<RelevanceQuery>();
        using (var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "queries.json"))))
        {
            foreach (var item in document.RootElement.EnumerateArray())
            {
                queries.Add(Query(item, ids));
            }
        }

        if (queries.Select(q => q.Id).Distinct(StringComparer.Ordinal).Count() != queries.Count)
        {
            throw new InvalidDataException("queries.json: query ids are not unique");
        }

        return new SearchCorpus(entries, queries);
    }

    /// <summary>
    /// Scores <paramref name="rank"/> (query text → entry ids, best first) on every query. nDCG@5 uses graded gains
    /// 2^g − 1 and a log2(rank + 1) discount, normalised by the ideal order of the judged entries. MRR@10 is the
    /// reciprocal rank of the first result of grade ≥ 2 (a merely related result is not an answer); recall@10 is
    /// the share of the grade ≥ 2 entries found in the first ten. A repeated id counts once, where it first appears.
    /// </summary>
    public static RelevanceScores Evaluate(SearchCorpus corpus, Func<string, IReadOnlyList<string>> rank)
    {
        var scores = new List<QueryScores>(corpus.Queries.Count);
        foreach (var query in corpus.Queries)
        {
            var ranked = rank(query.Text).Distinct(StringComparer.Ordinal).Take(CutOff).ToList();
            scores.Add(new QueryScores(query.Id, query.Text, query.Kind,
                Ndcg(ranked, query.Judgments), Mrr(ranked, query.Judgments), Recall(ranked, query.Judgments), [.. ranked.Take(NdcgDepth)]));
        }

        return RelevanceScores.Of(scores);
    }

    /// <summary>
    /// The baseline: entries whose name, display name or description contains the whole query, ignoring case — what
    /// the MCP registry API's <c>search</c> parameter does — in catalog name order (it does not rank).
    /// </summary>
    public static IReadOnlyList<string> Substring(SearchCorpus corpus, string query)
    {
        var needle = query.Trim();
        if (needle.Length == 0)
        {
            return [];
        }

        return
        [
            .. corpus.Entries
                .Where(e => Contains(e.Name, needle) || Contains(e.Entry?.Status.DisplayName, needle) || Contains(e.Entry?.Status.Description, needle))
                .OrderBy(e => e.Entry?.Metadata.Name, StringComparer.Ordinal)
                .ThenBy(e => e.Entry?.Metadata.Namespace, StringComparer.Ordinal)
                .Select(SearchCorpus.IdOf),
        ];
    }

    private static bool Contains(string? text, string needle) => text?.Contains(needle, StringComparison.OrdinalIgnoreCase) == true;

    private static double Ndcg(List<string> ranked, IReadOnlyDictionary<string, int> judgments)
    {
        var dcg = ranked.Take(NdcgDepth).Select((id, i) => Gain(judgments.GetValueOrDefault(id)) / Discount(i)).Sum();
        var ideal = judgments.Values.OrderDescending().Take(NdcgDepth).Select((g, i) => Gain(g) / Discount(i)).Sum();
        return ideal == 0 ? 0 : dcg / ideal;
    }

    private static double Gain(int grade) => Math.Pow(2, grade) - 1;

    /// <summary>log2(rank + 1) for a 1-based rank; <paramref name="index"/> is 0-based.</summary>
    private static double Discount(int index) => Math.Log2(index + 2);

    private static double Mrr(List<string> ranked, IReadOnlyDictionary<string, int> judgments)
    {
        var first = ranked.FindIndex(id => judgments.GetValueOrDefault(id) >= HitGrade);
        return first < 0 ? 0 : 1.0 / (first + 1);
    }

    private static double Recall(List<string> ranked, IReadOnlyDictionary<string, int> judgments)
    {
        var wanted = judgments.Count(j => j.Value >= HitGrade);
        return wanted == 0 ? 0 : (double)ranked.Count(id => judgments.GetValueOrDefault(id) >= HitGrade) / wanted;
    }

    private static StoredEntry Entry(JsonElement item)
    {
        var ns = Required(item, "namespace", "corpus.json");
        var name = Required(item, "name", $"corpus.json entry in '{ns}'");
        var id = $"{ns}/{name}";
        if (!ProtocolNames.TryParse(Required(item, "protocol", id), out var protocol) || protocol == Protocol.A2ui)
        {
            throw new InvalidDataException($"corpus.json '{id}': 'protocol' must be a2a or mcp");
        }

        if (!item.TryGetProperty("card", out var cardJson) || cardJson.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"corpus.json '{id}': 'card' is missing or not an object");
        }

        ICardParser parser = protocol == Protocol.A2a ? new A2aCardParser() : new McpCardParser();
        ParsedCard card;
        try
        {
            card = parser.Parse(Encoding.UTF8.GetBytes(cardJson.GetRawText()));
        }
        catch (CardParseException e)
        {
            throw new InvalidDataException($"corpus.json '{id}': the card does not parse ({e.Reason}: {e.Message})", e);
        }

        // Where the agent is served: an A2A card names its interfaces; the MCP cards here serve /mcp on the Service.
        var endpoint = card.Capabilities.FirstOrDefault(c => c.Kind == CapabilityKinds.A2aInterface)?.Properties.GetValueOrDefault("url")
            ?? card.McpRemoteUrl
            ?? $"http://{name}.{ns}.svc.cluster.local:8080/mcp";
        var capabilities = card.Capabilities.Select(CapabilityDigest.Ensure).ToList();
        var entry = new AgentType
        {
            Metadata = new AgentMetadata { Name = name, Namespace = ns },
            Spec = new AgentSpec
            {
                Protocol = protocol,
                Endpoint = endpoint,
                Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name },
                Team = Optional(item, "team"),
                Tags = item.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                    ? [.. tags.EnumerateArray().Select(t => t.GetString()).OfType<string>()]
                    : [],
            },
            Status = new AgentStatus
            {
                Lifecycle = Lifecycle.Active,
                DisplayName = card.DisplayName,
                Description = card.Description,
                Version = card.Version,
                ProtocolVersion = card.ProtocolVersion,
                Provider = card.Provider,
                Capabilities = [.. capabilities],
                CapabilitiesDigest = CapabilityDigest.OfSet(capabilities),
            },
        };
        // Stored as the catalog stores it: under its ConfigMap name in the catalog's namespace, so a staging twin
        // (same agent name, another namespace) is an entry of its own, as it is in the operator.
        return new StoredEntry
        {
            Name = CatalogNames.ForEntry(protocol, endpoint, entry.Spec.Source),
            Namespace = SearchCorpus.Store,
            ResourceVersion = "1",
            IsPush = false,
            Endpoint = endpoint,
            Entry = entry,
            Json = CatalogJson.SerializeToString(entry),
            Labels = CatalogNames.Labels(entry),
        };
    }

    private static RelevanceQuery Query(JsonElement item, HashSet<string> ids)
    {
        var id = Required(item, "id", "queries.json");
        var text = Required(item, "text", id);
        var kind = Required(item, "kind", id);
        if (kind is not ("natural" or "keyword"))
        {
            throw new InvalidDataException($"queries.json '{id}': 'kind' must be natural or keyword");
        }

        if (!item.TryGetProperty("judgments", out var judged) || judged.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"queries.json '{id}': 'judgments' is missing or not an object");
        }

        var judgments = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var judgment in judged.EnumerateObject())
        {
            if (!ids.Contains(judgment.Name))
            {
                throw new InvalidDataException($"queries.json '{id}': judges '{judgment.Name}', which is not in corpus.json");
            }

            if (judgment.Value.ValueKind != JsonValueKind.Number || !judgment.Value.TryGetInt32(out var grade) || grade is < 1 or > 3)
            {
                throw new InvalidDataException($"queries.json '{id}': the grade of '{judgment.Name}' must be 1, 2 or 3");
            }

            judgments[judgment.Name] = grade;
        }

        // Every query needs an answer: without a grade >= 2 entry, MRR and recall would have nothing to find.
        if (!judgments.Values.Any(g => g >= HitGrade))
        {
            throw new InvalidDataException($"queries.json '{id}': no entry is graded 2 or 3");
        }

        return new RelevanceQuery(id, text, kind, judgments);
    }

    private static string Required(JsonElement item, string property, string where) =>
        Optional(item, property) ?? throw new InvalidDataException($"{where}: '{property}' is missing or not a non-empty string");

    private static string? Optional(JsonElement item, string property) =>
        item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
