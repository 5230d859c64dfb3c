using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using AgentLens.Operator.Api;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Tests.Api;

/// <summary>
/// The OpenAPI document <c>kubectl explain agenttypes</c> reads, checked field by field against what the
/// catalog really serializes: the source-generated <see cref="CatalogJsonContext"/> lists exactly the properties
/// written, so a field, an enum value or a condition type added to the records and not to the schema fails here.
/// </summary>
[TestFixture]
public sealed class AgentTypeSchemaTests
{
    private static readonly JsonObject AgentTypeSchemaNode =
        JsonNode.Parse(AgentTypeSchema.OpenApiV2)!["definitions"]!["io.agentlens.v1alpha1.AgentType"]!.AsObject();

    [Test]
    public void EverySerializedField_IsInTheSchema_WithItsTypeAndADescription()
    {
        var missing = new List<string>();
        foreach (var part in new[] { "spec", "status" })
        {
            var type = part == "spec" ? typeof(AgentSpec) : typeof(AgentStatus);
            Walk(CatalogJson.Options.GetTypeInfo(type), AgentTypeSchemaNode["properties"]![part], part, missing);
        }

        Assert.That(missing, Is.Empty, "the AgentType schema does not match the records:\n" + string.Join("\n", missing));
    }

    [Test]
    public void EveryConditionType_IsNamedInTheSchema()
    {
        var conditions = AgentTypeSchemaNode["properties"]!["status"]!["properties"]!["conditions"]!.ToJsonString();
        var types = typeof(ConditionTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.That(types, Is.Not.Empty);
        Assert.That(types.Where(t => !conditions.Contains(t, StringComparison.Ordinal)), Is.Empty, "condition types missing from status.conditions in the AgentType schema");
    }

    private static void Walk(JsonTypeInfo info, JsonNode? schema, string path, List<string> missing)
    {
        if (schema is null)
        {
            missing.Add($"{path}: missing");
            return;
        }

        if (string.IsNullOrWhiteSpace((string?)schema["description"]) && !path.EndsWith("[]", StringComparison.Ordinal))
        {
            missing.Add($"{path}: no description");
        }

        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        var (expected, format) = info.Kind switch
        {
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => ("object", null),
            JsonTypeInfoKind.Enumerable => ("array", null),
            _ when type == typeof(int) => ("integer", "int32"),
            _ when type == typeof(bool) => ("boolean", null),
            _ when type == typeof(DateTimeOffset) => ("string", "date-time"),
            _ => ("string", (string?)null),
        };
        if ((string?)schema["type"] != expected || (string?)schema["format"] != format)
        {
            missing.Add($"{path}: type {schema["type"]}/{schema["format"]}, serialized as {expected}/{format}");
        }

        if (type.IsEnum)
        {
            var text = schema.ToJsonString();
            foreach (var value in Enum.GetValues(type))
            {
                var wire = JsonSerializer.Serialize(value, type, CatalogJson.Options).Trim('"');
                if (!text.Contains(wire, StringComparison.Ordinal))
                {
                    missing.Add($"{path}: enum value {wire} not named");
                }
            }
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                var properties = schema["properties"]?.AsObject();
                foreach (var property in info.Properties)
                {
                    Walk(CatalogJson.Options.GetTypeInfo(property.PropertyType), properties?[property.Name], $"{path}.{property.Name}", missing);
                }

                foreach (var extra in properties?.Select(p => p.Key).Except(info.Properties.Select(p => p.Name)) ?? [])
                {
                    missing.Add($"{path}.{extra}: in the schema but not serialized");
                }

                break;
            case JsonTypeInfoKind.Enumerable:
                Walk(CatalogJson.Options.GetTypeInfo(info.ElementType!), schema["items"], path + "[]", missing);
                break;
            case JsonTypeInfoKind.Dictionary:
                Walk(CatalogJson.Options.GetTypeInfo(info.ElementType!), schema["additionalProperties"], path + "[]", missing);
                break;
        }
    }
}
