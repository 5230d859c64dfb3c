using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Catalog;

/// <summary>
/// What an entry read from a ConfigMap must be before anything uses it: every required value present, every
/// enum one we know, every list free of nulls, every time within a range arithmetic on it cannot overflow.
/// A ConfigMap can be written by anyone holding the self-registration Role (or by someone tampering with an
/// operator-written entry), so the reasons name our own fields and positions only, never the author's text.
/// </summary>
internal static class EntryCheck
{
    /// <summary>Times outside this range are refused: far enough from the calendar's ends that adding a retention or a Lease duration cannot overflow.</summary>
    public static readonly DateTimeOffset EarliestTime = DateTimeOffset.UnixEpoch;

    public static readonly DateTimeOffset LatestTime = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // The property names of the AgentType's JSON: a path made of these (and indexes) is ours; anything else is the author's.
    private static readonly FrozenSet<string> OwnNames = Names(CatalogJson.Options);

    /// <summary>The first thing wrong with the entry, or null when it may be served.</summary>
    public static string? Problem(AgentType entry)
    {
        if (entry.ApiVersion is null)
        {
            return "apiVersion is missing";
        }

        if (entry.Kind != AgentType.TypeKind)
        {
            return $"kind is not {AgentType.TypeKind}";
        }

        if (entry.Metadata is null || string.IsNullOrWhiteSpace(entry.Metadata.Name))
        {
            return "metadata.name is missing";
        }

        return Spec(entry.Spec) ?? Status(entry.Status);
    }

    private static string? Spec(AgentSpec? spec) =>
        spec is null ? "spec is missing"
        : !Enum.IsDefined(spec.Protocol) ? "spec.protocol is not a known protocol"
        : string.IsNullOrWhiteSpace(spec.Endpoint) ? "spec.endpoint is missing"
        : spec.Source is null ? "spec.source is missing"
        : !Enum.IsDefined(spec.Source.Type) ? "spec.source.type is not a known source type"
        : spec.Source.Name is null ? "spec.source.name is missing"
        : Strings(spec.Tags, "spec.tags");

    private static string? Status(AgentStatus? status)
    {
        if (status is null)
        {
            return "status is missing";
        }

        if (!Enum.IsDefined(status.Lifecycle))
        {
            return "status.lifecycle is not a known lifecycle";
        }

        if (status.ConsecutiveFailures < 0)
        {
            return "status.consecutiveFailures is negative";
        }

        if (status.OfflineSince is { } since && !InRange(since))
        {
            return "status.offlineSince is out of range";
        }

        if (status.CapabilitiesObservedAt is { } observed && !InRange(observed))
        {
            return "status.capabilitiesObservedAt is out of range";
        }

        for (var i = 0; i < status.Capabilities.Length; i++)
        {
            if (Capability(status.Capabilities[i], $"status.capabilities[{i}]") is { } problem)
            {
                return problem;
            }
        }

        if (Authorization(status.Authorization) is { } unusable)
        {
            return unusable;
        }

        for (var i = 0; i < status.Conditions.Length; i++)
        {
            var at = $"status.conditions[{i}]";
            var condition = status.Conditions[i];
            var problem = condition is null ? $"{at} is null"
                : condition.Type is null ? $"{at}.type is missing"
                : condition.Reason is null ? $"{at}.reason is missing"
                : !Enum.IsDefined(condition.Status) ? $"{at}.status is not True, False or Unknown"
                : !InRange(condition.LastTransitionTime) ? $"{at}.lastTransitionTime is out of range"
                : null;
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Capability(Capability? capability, string at) =>
        capability is null ? $"{at} is null"
        : capability.Kind is null ? $"{at}.kind is missing"
        : capability.Name is null ? $"{at}.name is missing"
        : Strings(capability.Tags, $"{at}.tags")
        ?? (capability.Properties.Values.Any(v => v is null) ? $"{at}.properties has a null value" : null);

    private static string? Authorization(AgentAuthorization? authorization)
    {
        if (authorization is null)
        {
            return null;
        }

        const string At = "status.authorization";
        var problem = Strings(authorization.AuthorizationServers, $"{At}.authorizationServers")
            ?? Strings(authorization.ScopesSupported, $"{At}.scopesSupported")
            ?? Strings(authorization.ScopesRequired, $"{At}.scopesRequired");
        for (var i = 0; problem is null && i < authorization.Schemes.Length; i++)
        {
            problem = authorization.Schemes[i] is null ? $"{At}.schemes[{i}] is null"
                : authorization.Schemes[i].Name is null ? $"{At}.schemes[{i}].name is missing"
                : null;
        }

        for (var i = 0; problem is null && i < authorization.Requirements.Length; i++)
        {
            problem = authorization.Requirements[i] is not { } requirement ? $"{At}.requirements[{i}] is null"
                : Strings(requirement.Schemes, $"{At}.requirements[{i}].schemes")
                ?? (requirement.Scopes.Values.Any(v => v is null) ? $"{At}.requirements[{i}].scopes has a null value" : null);
        }

        return problem;
    }

    private static string? Strings(ImmutableArray<string> list, string at)
    {
        var index = list.IsDefault ? -1 : list.IndexOf(null!);
        return index >= 0 ? $"{at}[{index}] is null" : null;
    }

    private static bool InRange(DateTimeOffset time) => time >= EarliestTime && time < LatestTime;

    /// <summary>Where a JSON error is, in our terms: the path up to the first name that is not ours, the line and byte.</summary>
    public static string Describe(JsonException e)
    {
        var path = OwnPath(e.Path);
        var where = path is null ? string.Empty : $" at {path}";
        return $"invalid JSON, or a value of the wrong type{where} (line {e.LineNumber + 1 ?? 0}, byte {e.BytePositionInLine ?? 0})";
    }

    /// <summary><c>$.status.capabilities[0].properties['x y']</c> → <c>$.status.capabilities[0].properties…</c>.</summary>
    private static string? OwnPath(string? path)
    {
        if (path is null || !path.StartsWith('$'))
        {
            return null;
        }

        var own = new StringBuilder("$");
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                var name = path[(i + 1)..(end < 0 ? path.Length : end)];
                if (!OwnNames.Contains(name))
                {
                    return own.Append('…').ToString();
                }

                own.Append('.').Append(name);
                i = end < 0 ? path.Length : end;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is var close && close > i
                && int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                own.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                i = close + 1;
            }
            else
            {
                return own.Append('…').ToString();
            }
        }

        return own.ToString();
    }

    private static FrozenSet<string> Names(JsonSerializerOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<Type>();
        void Walk(Type type)
        {
            if (!seen.Add(type) || options.TypeInfoResolver?.GetTypeInfo(type, options) is not { } info)
            {
                return;
            }

            foreach (var property in info.Properties)
            {
                names.Add(property.Name);
                Walk(property.PropertyType);
            }

            if (info.ElementType is { } element)
            {
                Walk(element);
            }
        }

        Walk(typeof(AgentType));
        return names.ToFrozenSet(StringComparer.Ordinal);
    }
}
