using AgentLens.Operator.Cards;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using Lucene.Net.Documents;

namespace AgentLens.Operator.Api.Search;

/// <summary>
/// The fields of an entry's one document, what each holds, how much a match in it weighs for free text,
/// and the field names a query may use. Exact names weigh most; descriptions, examples and tool inputs less.
/// </summary>
internal static class SearchFields
{
    public const string Key = "key";
    public const string Id = "id";
    public const string Name = "name";
    public const string Description = "description";
    public const string Provider = "provider";
    public const string Version = "version";
    public const string Tag = "tag";
    public const string Team = "team";
    public const string Namespace = "namespace";
    public const string Protocol = "protocol";
    public const string Kind = "kind";
    public const string Capability = "capability";
    public const string Skill = "skill";
    public const string Tool = "tool";
    public const string CapabilityText = "capability.description";
    public const string Example = "example";
    public const string Input = "input";

    /// <summary>The capability kinds that say what an agent does (interfaces, schemes and signatures say how to reach it).</summary>
    public static readonly IReadOnlySet<string> SearchedKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        CapabilityKinds.A2aSkill, CapabilityKinds.McpTool, CapabilityKinds.McpResource, CapabilityKinds.McpPrompt,
    };

    /// <summary>Free text searches these, with these weights.</summary>
    public static readonly IReadOnlyDictionary<string, float> Boosts = new Dictionary<string, float>(StringComparer.Ordinal)
    {
        [Name] = 4f,
        [Capability] = 3f,
        [Tag] = 2f,
        [Description] = 1.5f,
        [CapabilityText] = 1f,
        [Team] = 1f,
        [Provider] = 1f,
        [Example] = 0.8f,
        [Input] = 0.6f,
        [Namespace] = 0.5f,
        [Protocol] = 0.5f,
    };

    /// <summary>What a query may write before a colon, and the field each means.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = Name,
        ["description"] = Description,
        ["provider"] = Provider,
        ["version"] = Version,
        ["tag"] = Tag,
        ["team"] = Team,
        ["namespace"] = Namespace,
        ["protocol"] = Protocol,
        ["kind"] = Kind,
        ["capability"] = Capability,
        ["skill"] = Skill,
        ["tool"] = Tool,
        ["example"] = Example,
        ["input"] = Input,
    };

    /// <summary>The one document of an entry; nothing is stored but its key and id, the text is read from the entry itself.</summary>
    public static Document Of(StoredEntry item, long id, string storeNamespace)
    {
        var doc = new Document
        {
            new StringField(Key, item.Name, Field.Store.NO),
            new NumericDocValuesField(Id, id),
        };
        var entry = item.Entry;
        Add(doc, Name, item.Name, entry?.Status.DisplayName);
        Add(doc, Namespace, CatalogFilter.ServedNamespace(item, storeNamespace));
        if (entry is null)
        {
            return doc;
        }

        Add(doc, Description, entry.Status.Description);
        Add(doc, Provider, entry.Status.Provider?.Organization, entry.Status.Provider?.Url);
        Add(doc, Version, entry.Status.Version);
        Add(doc, Team, entry.Spec.Team);
        Add(doc, Protocol, entry.Spec.Protocol.ToWire());
        Add(doc, Tag, [.. entry.Spec.Tags]);
        foreach (var capability in Searched(entry))
        {
            var names = NamesOf(capability);
            Add(doc, Kind, capability.Kind);
            Add(doc, Capability, names);
            Add(doc, capability.Kind == CapabilityKinds.A2aSkill ? Skill : capability.Kind == CapabilityKinds.McpTool ? Tool : Capability + ".other", [.. names, capability.Description]);
            Add(doc, CapabilityText, capability.Description);
            Add(doc, Tag, [.. capability.Tags]);
            Add(doc, Example, capability.Properties.GetValueOrDefault(CapabilityProperties.Examples));
            Add(doc, Input, capability.Properties.GetValueOrDefault(CapabilityProperties.Parameters));
        }

        return doc;
    }

    public static IEnumerable<Capability> Searched(AgentType entry) =>
        entry.Status.Capabilities.IsDefault ? [] : entry.Status.Capabilities.Where(c => SearchedKinds.Contains(c.Kind));

    /// <summary>A capability's name or id and its title, when the card gave one apart.</summary>
    public static string?[] NamesOf(Capability capability) => [capability.Name, capability.Properties.GetValueOrDefault("title")];

    private static void Add(Document doc, string field, params string?[] values)
    {
        foreach (var value in values)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                doc.Add(new TextField(field, value, Field.Store.NO));
            }
        }
    }
}
