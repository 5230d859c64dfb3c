using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Api;

/// <summary>
/// docs/catalog.md against the Domain records: the AgentType block names every status field (authorization's and
/// a capability's included), and the page names every capability kind and condition type, so a field added to
/// the records cannot go undocumented.
/// </summary>
[TestFixture]
public sealed class CatalogDocTests
{
    private static readonly string Doc = File.ReadAllText(Repo.Path("docs", "catalog.md"));

    /// <summary>The YAML block under "## The AgentType object".</summary>
    private static string ObjectBlock()
    {
        var match = Regex.Match(Doc, @"## The AgentType object\s+```yaml\n(?<yaml>.*?)\n```", RegexOptions.Singleline);
        Assert.That(match.Success, Is.True, "docs/catalog.md has the AgentType object's YAML block");
        return match.Groups["yaml"].Value;
    }

    private static IEnumerable<string> Fields(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));

    [TestCase(typeof(AgentSpec))]
    [TestCase(typeof(AgentStatus))]
    [TestCase(typeof(AgentAuthorization))]
    [TestCase(typeof(AuthorizationScheme))]
    [TestCase(typeof(AuthorizationRequirement))]
    [TestCase(typeof(Capability))]
    [TestCase(typeof(Condition))]
    [TestCase(typeof(SourceRef))]
    public void TheObjectBlock_NamesEveryField(Type type)
    {
        var block = ObjectBlock();

        var missing = Fields(type).Where(f => !Regex.IsMatch(block, $@"(?<![\w.]){Regex.Escape(f)}(?![\w])")).ToList();

        Assert.That(missing, Is.Empty, $"fields of {type.Name} not in docs/catalog.md's AgentType block");
    }

    [TestCase(typeof(CapabilityKinds))]
    [TestCase(typeof(ConditionTypes))]
    [TestCase(typeof(CapabilitySources))]
    public void ThePage_NamesEveryValue(Type constants)
    {
        var values = constants.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

        Assert.That(values.Where(v => !Doc.Contains($"`{v}`", StringComparison.Ordinal) && !ObjectBlock().Contains(v, StringComparison.Ordinal)), Is.Empty,
            $"values of {constants.Name} docs/catalog.md does not name");
    }
}
