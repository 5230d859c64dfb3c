#!/usr/bin/env python3
"""Writes corpus.json and queries.json from agents.txt and queries.txt (see README.md). Deterministic: same input, same bytes."""
import hashlib
import json
import pathlib
import re

HERE = pathlib.Path(__file__).parent
TARGET_ENTRIES = 310  # unique agents plus staging deployments of some of them

INTEGER = re.compile(r"(max_results|limit|days|replicas|port|quantity|capacity|weight_kg|urgency|priority|panel_id|duration|duration_minutes|build_number|zoom|amount|daily_budget_micros|since_seconds|version)$")
BOOLEAN = re.compile(r"(previous|dry_run|prune|unread_only)$")
ARRAY = re.compile(r"(attendees|files|labels|networks|signers|lines|emails|markers|hs_codes|ranges_list)$")


def digest(text):
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def parse_agents(path):
    agents, current = [], None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            head, *attrs = [p.strip() for p in line.split("|")]
            protocol, key = head[1:].split()
            namespace, name = key.split("/")
            current = {"protocol": protocol, "namespace": namespace, "name": name, "caps": []}
            for attr in attrs:
                k, v = attr.split("=", 1)
                current[k] = v.split(",") if k == "tags" else v
            agents.append(current)
        elif line.startswith("- "):
            current["caps"].append([p.strip() for p in line[2:].split("|")])
        else:
            title, description = line.split("::", 1)
            current["title"], current["description"] = title.strip(), description.strip()
    return agents


def options(parts):
    out = {}
    for part in parts:
        k, v = part.split("=", 1)
        out[k] = [x.strip() for x in v.split(";" if k == "ex" else ",") if x.strip()]
    return out


def a2a_card(agent, namespace, shape, version):
    base = f"http://{agent['name']}.{namespace}.svc.cluster.local:8080/a2a"
    skills = []
    for cap in agent["caps"]:
        skill_id, name, description, *rest = cap
        extra = options(rest)
        skill = {"id": skill_id, "name": name, "description": description, "tags": extra.get("tags", [])}
        if "ex" in extra:
            skill["examples"] = extra["ex"]
        skills.append(skill)
    provider = {"organization": "Acme Corp", "url": f"https://{agent['namespace']}.acme.example"}
    if shape == "0.3":
        return {
            "protocolVersion": "0.3.0", "name": agent["title"], "description": agent["description"],
            "url": base + "/jsonrpc", "preferredTransport": "JSONRPC", "provider": provider, "version": version,
            "capabilities": {"streaming": True, "pushNotifications": False},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "security": [{"bearer": []}],
            "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain", "application/json"],
            "skills": skills,
        }
    return {
        "name": agent["title"], "description": agent["description"],
        "supportedInterfaces": [
            {"url": base + "/v1", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
            {"url": base + "/rest", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0"},
        ],
        "provider": provider, "version": version,
        "capabilities": {"streaming": True, "pushNotifications": False, "extendedAgentCard": False},
        "securitySchemes": {"bearer": {"httpAuthSecurityScheme": {"scheme": "Bearer", "bearerFormat": "JWT"}}},
        "securityRequirements": [{"schemes": {"bearer": {"list": []}}}],
        "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain", "application/json"],
        "skills": skills,
    }


def schema_of(params):
    properties, required = {}, []
    for param in [p.strip() for p in params.split(";") if p.strip()]:
        name, description = [x.strip() for x in param.split(":", 1)]
        kind = "integer" if INTEGER.search(name) else "boolean" if BOOLEAN.search(name) else "array" if ARRAY.search(name) else "string"
        prop = {"type": kind, "description": description}
        if kind == "array":
            prop["items"] = {"type": "string"}
        properties[name] = prop
        if not required:
            required.append(name)
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def mcp_card(agent, version):
    tools = []
    for cap in agent["caps"]:
        name, description, *rest = cap
        tools.append({"name": name, "description": description, "inputSchema": schema_of(rest[0] if rest else "")})
    return {
        "$schema": "https://static.modelcontextprotocol.io/schemas/mcp-server-card/v1.json",
        "version": "1.0", "protocolVersion": "2025-06-18",
        "serverInfo": {"name": agent["server"], "title": agent["title"], "version": version},
        "description": agent["description"],
        "transport": {"type": "streamable-http", "endpoint": "/mcp"},
        "capabilities": {"tools": {"listChanged": False}},
        "tools": tools,
    }


def entry(agent, namespace, staging):
    h = digest(agent["namespace"] + "/" + agent["name"])
    version = f"{1 + h % 3}.{h % 10}.{h % 7}" + ("-rc.1" if staging else "")
    shape = "0.3" if (h % 2 == 0) != staging else "1.0"
    card = a2a_card(agent, namespace, shape, version) if agent["protocol"] == "a2a" else mcp_card(agent, version)
    out = {"namespace": namespace, "name": agent["name"], "protocol": agent["protocol"]}
    if "team" in agent:
        out["team"] = agent["team"]
    if "tags" in agent:
        out["tags"] = agent["tags"]
    out["card"] = card
    return out


def parse_queries(path, copies):
    queries, current = [], None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("?"):
            head, text = line[1:].split("|", 1)
            qid, kind = head.split()
            current = {"id": qid, "text": text.strip(), "kind": kind, "judgments": {}}
            queries.append(current)
        else:
            grade, ids = line.split(" ", 1)
            for key in [i.strip() for i in ids.split(",") if i.strip()]:
                for target in [key] + copies.get(key, []):
                    if target in current["judgments"]:
                        raise SystemExit(f"{current['id']}: {target} judged twice")
                    current["judgments"][target] = int(grade)
    return queries


def lines(items):
    # One item a line: small diffs, and a reader can grep an id.
    return "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n"


def main():
    agents = parse_agents(HERE / "agents.txt")
    keys = [a["namespace"] + "/" + a["name"] for a in agents]
    if len(set(keys)) != len(keys):
        raise SystemExit("duplicate agent ids")
    # Some agents also run a staging deployment (card shape flipped, a release candidate version): chosen by
    # hash so the choice does not follow the order of the file.
    staged = sorted(agents, key=lambda a: digest("staging:" + a["name"]))[: max(0, TARGET_ENTRIES - len(agents))]
    staged_keys = {a["namespace"] + "/" + a["name"] for a in staged}
    corpus, copies = [], {}
    for agent in agents:
        key = agent["namespace"] + "/" + agent["name"]
        corpus.append(entry(agent, agent["namespace"], False))
        if key in staged_keys:
            corpus.append(entry(agent, agent["namespace"] + "-staging", True))
            copies[key] = [agent["namespace"] + "-staging/" + agent["name"]]
    queries = parse_queries(HERE / "queries.txt", copies)
    known = {e["namespace"] + "/" + e["name"] for e in corpus}
    for q in queries:
        unknown = [k for k in q["judgments"] if k not in known]
        if unknown:
            raise SystemExit(f"{q['id']}: unknown ids {unknown}")
    (HERE / "corpus.json").write_text(lines(corpus), encoding="utf-8")
    (HERE / "queries.json").write_text(lines(queries), encoding="utf-8")
    print(f"{len(corpus)} entries ({len(agents)} agents), {len(queries)} queries")


if __name__ == "__main__":
    main()
