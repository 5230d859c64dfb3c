using System.Text.Json.Nodes;

namespace AgentLens.Operator.Api;

/// <summary>
/// What the aggregated server publishes about itself: the discovery documents kubectl and the aggregator
/// read (<c>APIGroupList</c>, <c>APIGroup</c>, <c>APIResourceList</c>) and the OpenAPI v2 document that
/// <c>kubectl explain agenttypes</c> reads once kube-apiserver has merged it. Built once; they never change.
/// </summary>
internal static class AgentTypeSchema
{
    private const string Prefix = "io.agentlens.v1alpha1.";

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
            ("spec", Spec()),
            ("status", Status()));
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

    private static JsonObject Spec() => Obj("Where the agent is and who announced it.",
        ("protocol", Str("The agent's protocol: a2a or mcp.")),
        ("endpoint", Str("The agent's normalized endpoint URL, path included: the entry's identity.")),
        ("cardUrl", Str("Where the card was fetched from.")),
        ("source", Obj("What announced the agent.",
            ("type", Str("kubernetes (an annotated Service), static (the static sources file) or push (a ConfigMap someone applied).")),
            ("namespace", Str("The Service's namespace (kubernetes sources).")),
            ("name", Str("The Service's name, or the static entry's name.")))),
        ("team", Str("The owning team (agentlens.io/team).")),
        ("tags", StrArray("Free-form tags (agentlens.io/tags).")));

    private static JsonObject Status() => Obj("What the agent's card and the last discovery cycles said.",
        ("lifecycle", Str("Registered, Active, Degraded or Offline.")),
        ("displayName", Str("The card's name.")),
        ("description", Str("The card's description.")),
        ("version", Str("The agent's version, from its card.")),
        ("protocolVersion", Str("The protocol version the card declares.")),
        ("provider", Obj("Who provides the agent.", ("organization", Str("The provider's organization.")), ("url", Str("The provider's URL.")))),
        ("capabilities", new JsonObject
        {
            ["type"] = "array",
            ["description"] = "What the agent offers, one entry per skill, tool, resource, prompt, interface, extension or security scheme.",
            ["items"] = Obj("One capability.",
                ("kind", Str("a2a.skill, a2a.interface, a2a.extension, a2a.security_scheme, a2a.security_requirement, a2a.signature, mcp.tool, mcp.resource or mcp.prompt.")),
                ("name", Str("The capability's name (its id for a skill).")),
                ("description", Str("What it does.")),
                ("tags", StrArray("Its tags.")),
                ("properties", new JsonObject { ["type"] = "object", ["description"] = "Kind-specific details, by key.", ["additionalProperties"] = new JsonObject { ["type"] = "string" } }),
                ("digest", Str("A digest of what defines the capability; a change means it was redefined."))),
        }),
        ("conditions", new JsonObject
        {
            ["type"] = "array",
            ["description"] = "CardFetched, CardValid, CapabilitiesListed, Discovered, Truncated, LeaseHeld.",
            ["items"] = Obj("One condition, as Kubernetes conditions are.",
                ("type", Str("The condition's type.")),
                ("status", Str("True, False or Unknown.")),
                ("reason", Str("A CamelCase reason.")),
                ("message", Str("A human-readable message.")),
                ("lastTransitionTime", new JsonObject { ["type"] = "string", ["format"] = "date-time", ["description"] = "When the status last changed." })),
        }),
        ("consecutiveFailures", new JsonObject { ["type"] = "integer", ["format"] = "int32", ["description"] = "Cycles in a row whose fetch failed." }),
        ("lastError", Str("The last fetch or parse error.")),
        ("cardDigest", Str("sha256 of the card as fetched.")),
        ("cardEtag", Str("The card's ETag, for conditional fetches.")),
        ("capabilitiesDigest", Str("A digest over all capability digests.")),
        ("offlineSince", new JsonObject { ["type"] = "string", ["format"] = "date-time", ["description"] = "When the entry went Offline; it is deleted after the retention period." }));

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

    private static JsonObject StrArray(string description) => new() { ["type"] = "array", ["description"] = description, ["items"] = new JsonObject { ["type"] = "string" } };

    private static byte[] Bytes(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
}
