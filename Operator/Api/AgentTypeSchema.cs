using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Api;

/// <summary>
/// What the aggregated server publishes about itself: the discovery documents kubectl and the aggregator
/// read (<c>APIGroupList</c>, <c>APIGroup</c>, <c>APIResourceList</c>) and the OpenAPI v2 document that
/// <c>kubectl explain agenttypes</c> reads once kube-apiserver has merged it. Built once; they never change.
/// </summary>
internal static class AgentTypeSchema
{
    private const string Prefix = "io.agentlens.v1alpha1.";

    // The words kubectl explain shows, by JSON path ("[]" is a list's item); the shape comes from the records.
    // Declared before the documents below: static initializers run in textual order.
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["spec"] = "Where the agent is and who announced it.",
        ["spec.protocol"] = "The agent's protocol.",
        ["spec.endpoint"] = "The agent's normalized endpoint URL, path included: the entry's identity.",
        ["spec.cardUrl"] = "Where the card was fetched from.",
        ["spec.source"] = "What announced the agent.",
        ["spec.source.type"] = "What kind of source: kubernetes is an annotated Service, static the static sources file, push a ConfigMap someone applied.",
        ["spec.source.namespace"] = "The Service's namespace (kubernetes sources).",
        ["spec.source.name"] = "The Service's name, or the static entry's name.",
        ["spec.team"] = "The owning team (agentlens.io/team).",
        ["spec.tags"] = "Free-form tags (agentlens.io/tags).",
        ["status"] = "What the agent's card and the last discovery cycles said.",
        ["status.lifecycle"] = "Where the agent is in its life.",
        ["status.displayName"] = "The card's name.",
        ["status.description"] = "The card's description.",
        ["status.version"] = "The agent's version, from its card.",
        ["status.protocolVersion"] = "The protocol version the card declares.",
        ["status.provider"] = "Who provides the agent.",
        ["status.provider.organization"] = "The provider's organization.",
        ["status.provider.url"] = "The provider's URL.",
        ["status.registryName"] = "MCP: the card's own name (a registry server.json's reverse-DNS name), apart from its title.",
        ["status.websiteUrl"] = "An http(s) URL about the agent: the MCP card's websiteUrl or the A2A card's documentationUrl (else its provider's URL).",
        ["status.icons"] = "The icons the card names (http(s) URLs only).",
        ["status.icons[]"] = "One icon.",
        ["status.icons[].src"] = "The icon's http(s) URL.",
        ["status.icons[].mimeType"] = "The icon's media type, as the card gave it.",
        ["status.icons[].theme"] = "The theme the icon is for (light or dark), as the card gave it.",
        ["status.capabilities"] = "What the agent offers, one entry per skill, tool, resource, prompt, interface, extension or security scheme.",
        ["status.capabilities[]"] = "One capability.",
        ["status.capabilities[].kind"] = "The capability's kind: " + Names(typeof(CapabilityKinds)) + ".",
        ["status.capabilities[].name"] = "The capability's name (its id for a skill).",
        ["status.capabilities[].description"] = "What it does.",
        ["status.capabilities[].tags"] = "Its tags.",
        ["status.capabilities[].properties"] = "Kind-specific details, by key.",
        ["status.capabilities[].digest"] = "A digest of what defines the capability; a change means it was redefined.",
        ["status.capabilities[].source"] = "Where the capability was learned: card (declared by a card or catalog) or introspection (collected from the live server).",
        ["status.conditions"] = "What the last cycles found: " + Names(typeof(ConditionTypes)) + ".",
        ["status.conditions[]"] = "One condition, as Kubernetes conditions are.",
        ["status.conditions[].type"] = "The condition's type: " + Names(typeof(ConditionTypes)) + ".",
        ["status.conditions[].status"] = "Whether the condition holds.",
        ["status.conditions[].reason"] = "A CamelCase reason.",
        ["status.conditions[].message"] = "A human-readable message.",
        ["status.conditions[].lastTransitionTime"] = "When the status last changed.",
        ["status.consecutiveFailures"] = "Cycles in a row whose fetch failed.",
        ["status.lastError"] = "The last fetch or parse error.",
        ["status.cardDigest"] = "sha256 of the card as fetched.",
        ["status.cardEtag"] = "The card's ETag, for conditional fetches.",
        ["status.capabilitiesDigest"] = "A digest over all capability digests.",
        ["status.capabilitiesObservedAt"] = "When the capabilities as they stand were first observed; unchanged while re-checks find the same set. Absent: not known (an MCP server that could not be asked).",
        ["status.offlineSince"] = "When the entry went Offline; it is deleted after the retention period.",
        ["status.authorization"] = "Who grants access. MCP: what a server that refused introspection (401, or 403 insufficient_scope) said in its WWW-Authenticate challenge and its OAuth protected resource metadata (RFC 9728). A2A: the security schemes and requirements its card declares.",
        ["status.authorization.required"] = "MCP: the server answered but refused to list its capabilities without (other) credentials; condition CapabilitiesListed is False with reason AuthorizationRequired.",
        ["status.authorization.credentialsSent"] = "MCP: the refused request carried credentials (a bearer token file, a credentials Secret or an Authorization header).",
        ["status.authorization.authorizationServers"] = "The authorization servers (issuer URLs) that grant tokens for this agent, from its protected resource metadata.",
        ["status.authorization.authorizationServers[]"] = "An authorization server's issuer URL.",
        ["status.authorization.scopesSupported"] = "The scopes the protected resource metadata says the agent understands.",
        ["status.authorization.scopesSupported[]"] = "One scope.",
        ["status.authorization.scopesRequired"] = "The scopes the server's challenge asked for (its scope parameter).",
        ["status.authorization.scopesRequired[]"] = "One scope.",
        ["status.authorization.error"] = "The challenge's error code: invalid_token or insufficient_scope.",
        ["status.authorization.resource"] = "The protected resource's identifier (the metadata's resource).",
        ["status.authorization.resourceName"] = "The protected resource's human-readable name (the metadata's resource_name).",
        ["status.authorization.metadataUrl"] = "Where the protected resource metadata is: the URL the challenge named, else the well-known URL on the agent's origin.",
        ["status.authorization.metadataProblem"] = "Why the metadata was not used: on another origin (never fetched), not found, or not usable.",
        ["status.authorization.schemes"] = "A2A: the security schemes the card declares.",
        ["status.authorization.schemes[]"] = "One security scheme.",
        ["status.authorization.schemes[].name"] = "The scheme's name in the card, as requirements refer to it.",
        ["status.authorization.schemes[].type"] = "http, apiKey, oauth2, openIdConnect or mutualTLS.",
        ["status.authorization.schemes[].scheme"] = "For type http: the HTTP authentication scheme, e.g. bearer.",
        ["status.authorization.schemes[].in"] = "For type apiKey: where the key goes (header, query or cookie).",
        ["status.authorization.schemes[].parameter"] = "For type apiKey: the header, query parameter or cookie name.",
        ["status.authorization.schemes[].openIdConnectUrl"] = "For type openIdConnect: the discovery URL.",
        ["status.authorization.requirements"] = "A2A: alternatives, any one of which satisfies the agent; empty: the card requires none.",
        ["status.authorization.requirements[]"] = "One alternative: all of its schemes together.",
        ["status.authorization.requirements[].schemes"] = "The schemes required together, by name.",
        ["status.authorization.requirements[].schemes[]"] = "A scheme's name.",
        ["status.authorization.requirements[].scopes"] = "The scopes each scheme needs (space-separated), by scheme name.",
        ["status.authorization.requirements[].scopes[]"] = "The scheme's scopes, space-separated.",
        ["status.authorization.extendedCard"] = "A2A: the agent serves an authenticated extended card (capabilities.extendedAgentCard).",
        ["status.cluster"] = "The cluster the agent runs in: the About API's ClusterProperty cluster.clusterset.k8s.io, else the operator's --cluster-name; on a hub, the member cluster it was federated from.",
    };

    public static byte[] GroupList { get; } = Bytes(new JsonObject
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(GroupNode()),
    });

    public static byte[] Group { get; } = Bytes(GroupNode());

    public static byte[] ResourceList { get; } = Bytes(new JsonObject
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = AgentTypeObjects.GroupVersion,
        ["resources"] = new JsonArray(new JsonObject
        {
            ["name"] = AgentTypeObjects.Resource,
            ["singularName"] = AgentTypeObjects.Singular,
            ["namespaced"] = true,
            ["kind"] = AgentTypeObjects.Kind,
            ["verbs"] = new JsonArray("get", "list", "watch"),
            ["shortNames"] = new JsonArray(AgentTypeObjects.ShortName),
            ["categories"] = new JsonArray(AgentTypeObjects.Category),
        }),
    });

    public static byte[] OpenApiV2 { get; } = Bytes(BuildOpenApiV2());

    private static JsonObject GroupNode()
    {
        JsonObject Version() => new() { ["groupVersion"] = AgentTypeObjects.GroupVersion, ["version"] = AgentTypeObjects.Version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = AgentTypeObjects.Group,
            ["versions"] = new JsonArray(Version()),
            ["preferredVersion"] = Version(),
        };
    }

    private static JsonObject BuildOpenApiV2()
    {
        var gvk = new JsonArray(new JsonObject { ["group"] = AgentTypeObjects.Group, ["version"] = AgentTypeObjects.Version, ["kind"] = AgentTypeObjects.Kind });
        var gvkList = new JsonArray(new JsonObject { ["group"] = AgentTypeObjects.Group, ["version"] = AgentTypeObjects.Version, ["kind"] = AgentTypeObjects.Kind + "List" });
        var agentType = Obj("AgentType is one agent of the catalog: where it is and who announced it (spec), and what its card says (status). "
            + "It is stored as a ConfigMap in the operator's namespace; this API serves it read-only, in the namespace of the Service it was discovered from.",
            ("apiVersion", Str("APIVersion defines the versioned schema of this representation of an object.")),
            ("kind", Str("Kind is a string value representing the REST resource this object represents.")),
            ("metadata", new JsonObject { ["$ref"] = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", ["description"] = "Standard object metadata." }),
            ("spec", FromRecord(typeof(AgentSpec), "spec")),
            ("status", FromRecord(typeof(AgentStatus), "status")));
        agentType["x-kubernetes-group-version-kind"] = gvk;
        var list = Obj("AgentTypeList is a list of AgentTypes.",
            ("apiVersion", Str("APIVersion defines the versioned schema of this representation of an object.")),
            ("kind", Str("Kind is a string value representing the REST resource this object represents.")),
            ("metadata", new JsonObject { ["$ref"] = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta", ["description"] = "Standard list metadata." }),
            ("items", new JsonObject { ["type"] = "array", ["description"] = "The AgentTypes.", ["items"] = new JsonObject { ["$ref"] = $"#/definitions/{Prefix}AgentType" } }));
        list["required"] = new JsonArray("items");
        list["x-kubernetes-group-version-kind"] = gvkList;
        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "AgentLens Operator", ["version"] = AgentTypeObjects.Version },
            ["paths"] = Paths(),
            ["definitions"] = new JsonObject { [$"{Prefix}AgentType"] = agentType, [$"{Prefix}AgentTypeList"] = list },
        };
    }

    private static JsonObject Paths()
    {
        JsonObject Get(string id, string description, string schema, bool collection)
        {
            var parameters = new JsonArray();
            if (collection)
            {
                foreach (var (name, type, text) in (ReadOnlySpan<(string, string, string)>)[
                    ("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
                    ("fieldSelector", "string", "metadata.name, metadata.namespace, spec.protocol or status.lifecycle, as f=v or f!=v."),
                    ("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
                    ("resourceVersion", "string", "With watch: the version to start after; 410 Gone when it is too old."),
                    ("allowWatchBookmarks", "boolean", "requests watch events with type BOOKMARK."),
                    ("timeoutSeconds", "integer", "Timeout for the list/watch call.")])
                {
                    parameters.Add(new JsonObject { ["name"] = name, ["in"] = "query", ["type"] = type, ["uniqueItems"] = true, ["description"] = text });
                }
            }

            var op = new JsonObject
            {
                ["operationId"] = id,
                ["description"] = description,
                ["produces"] = new JsonArray("application/json", "application/json;stream=watch"),
                ["schemes"] = new JsonArray("https"),
                ["tags"] = new JsonArray("agentlensIo_v1alpha1"),
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject { ["description"] = "OK", ["schema"] = new JsonObject { ["$ref"] = $"#/definitions/{Prefix}{schema}" } },
                    ["401"] = new JsonObject { ["description"] = "Unauthorized" },
                },
                ["x-kubernetes-action"] = collection ? "list" : "get",
                ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = AgentTypeObjects.Group, ["version"] = AgentTypeObjects.Version, ["kind"] = AgentTypeObjects.Kind },
            };
            if (parameters.Count > 0)
            {
                op["parameters"] = parameters;
            }

            return new JsonObject { ["get"] = op };
        }

        var root = $"/apis/{AgentTypeObjects.GroupVersion}";
        var item = Get("readAgentlensIoV1alpha1NamespacedAgentType", "read the specified AgentType", "AgentType", collection: false);
        item["parameters"] = new JsonArray(PathParameter("name", "name of the AgentType"), PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        var namespaced = Get("listAgentlensIoV1alpha1NamespacedAgentType", "list or watch objects of kind AgentType", "AgentTypeList", collection: true);
        namespaced["parameters"] = new JsonArray(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        return new JsonObject
        {
            [$"{root}/agenttypes"] = Get("listAgentlensIoV1alpha1AgentTypeForAllNamespaces", "list or watch objects of kind AgentType", "AgentTypeList", collection: true),
            [$"{root}/namespaces/{{namespace}}/agenttypes"] = namespaced,
            [$"{root}/namespaces/{{namespace}}/agenttypes/{{name}}"] = item,
        };
    }

    private static JsonObject PathParameter(string name, string description) =>
        new() { ["name"] = name, ["in"] = "path", ["required"] = true, ["type"] = "string", ["uniqueItems"] = true, ["description"] = description };

    /// <summary>
    /// The schema of a record as the catalog serializes it: the source-generated context lists exactly the
    /// properties written, with their wire names, so a field or enum value added to the records shows here
    /// without anyone restating it (AgentTypeSchemaTests checks each field has words).
    /// </summary>
    private static JsonObject FromRecord(Type record, string path)
    {
        var info = CatalogJson.Options.GetTypeInfo(record);
        var type = Nullable.GetUnderlyingType(record) ?? record;
        var node = new JsonObject();
        if (Descriptions.TryGetValue(path, out var description))
        {
            node["description"] = description;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                node["type"] = "object";
                node["properties"] = new JsonObject(info.Properties.Select(p =>
                    KeyValuePair.Create(p.Name, (JsonNode?)FromRecord(p.PropertyType, $"{path}.{p.Name}"))));
                if (info.Properties.Where(p => p.IsRequired).Select(p => (JsonNode?)p.Name).ToArray() is { Length: > 0 } required)
                {
                    node["required"] = new JsonArray(required);
                }

                break;
            case JsonTypeInfoKind.Enumerable:
                node["type"] = "array";
                node["items"] = FromRecord(info.ElementType!, path + "[]");
                break;
            case JsonTypeInfoKind.Dictionary:
                node["type"] = "object";
                node["additionalProperties"] = FromRecord(info.ElementType!, path + "[]");
                break;
            case JsonTypeInfoKind.None when type.IsEnum:
                var values = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, CatalogJson.Options).Trim('"')).ToArray();
                node["type"] = "string";
                node["enum"] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
                node["description"] = $"{description} One of {string.Join(", ", values)}.".TrimStart();
                break;
            case JsonTypeInfoKind.None when type == typeof(string):
                node["type"] = "string";
                break;
            case JsonTypeInfoKind.None when type == typeof(bool):
                node["type"] = "boolean";
                break;
            case JsonTypeInfoKind.None when type == typeof(int):
                (node["type"], node["format"]) = ("integer", "int32");
                break;
            case JsonTypeInfoKind.None when type == typeof(DateTimeOffset):
                (node["type"], node["format"]) = ("string", "date-time");
                break;
            default:
                throw new InvalidOperationException($"The AgentType schema has no OpenAPI type for {path} ({type.Name}).");
        }

        return node;
    }

    /// <summary>The values of a constants class (condition types, capability kinds), in declaration order.</summary>
    private static string Names(Type constants) => string.Join(", ", constants
        .GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!));

    private static JsonObject Obj(string description, params (string Name, JsonNode Schema)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
        }

        return new JsonObject { ["type"] = "object", ["description"] = description, ["properties"] = props };
    }

    private static JsonObject Str(string description) => new() { ["type"] = "string", ["description"] = description };

    private static byte[] Bytes(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
}
