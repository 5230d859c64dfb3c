using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace AgentLens.Operator.Tests.Api.Registry;

/// <summary>
/// The pinned MCP Registry openapi.yaml (Fixtures/registry, see its README) as JSON Schemas: each response of
/// the tests is checked against the schema its path, method and status declare (formats included).
/// </summary>
internal static class RegistrySchema
{
    private static readonly Lazy<JsonObject> Spec = new(() =>
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "registry", "openapi.yaml"));
        yaml.Load(reader);
        return (JsonObject)ToJson(yaml.Documents[0].RootNode)!;
    });

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new();

    /// <summary>Asserts <paramref name="json"/> is what the spec says <paramref name="method"/> <paramref name="path"/> answers with <paramref name="status"/>.</summary>
    public static void AssertValid(string json, string path, int status, string method = "get")
    {
        var problems = Problems(json, path, status, method);
        Assert.That(problems, Is.Null, $"{method.ToUpperInvariant()} {path} {status} does not match the spec:\n{problems}\n{json}");
    }

    /// <summary>Where <paramref name="json"/> breaks the spec's schema, or null when it does not.</summary>
    public static string? Problems(string json, string path, int status, string method = "get")
    {
        var schema = Schemas.GetOrAdd($"{method} {path} {status}", _ => Build(path, method, status));
        using var doc = JsonDocument.Parse(json);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return result.IsValid ? null : string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Select(e => $"{e.Key} {e.Value}"))}"));
    }

    /// <summary>The response schema with components.schemas as $defs (the references rewritten to match), under an $id of its own.</summary>
    private static JsonSchema Build(string path, string method, int status)
    {
        var response = Spec.Value["paths"]?[path]?[method]?["responses"]?[status.ToString(CultureInfo.InvariantCulture)]?["content"]?["application/json"]?["schema"]
            ?? throw new ArgumentException($"the pinned spec declares no {status} for {method} {path}");
        var root = (JsonObject)response.DeepClone();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        var id = new Uri($"https://agentlens.test/registry/{Guid.NewGuid():N}");
        root["$id"] = id.AbsoluteUri;
        root["$defs"] = Spec.Value["components"]!["schemas"]!.DeepClone();
        Rewrite(root);
        return JsonSchema.FromText(root.ToJsonString(), null, id);
    }

    private static void Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue r && r.GetValue<string>() is { } target && target.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                {
                    o["$ref"] = "#/$defs/" + target["#/components/schemas/".Length..];
                }

                foreach (var (_, child) in o.ToList())
                {
                    Rewrite(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Rewrite(child);
                }

                break;
        }
    }

    /// <summary>YAML as JSON: plain scalars that read as integers, booleans or null become those; quoted ones stay strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } s => JsonValue.Create(s.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "null" or "~" } => null,
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
