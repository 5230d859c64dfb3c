using System.Net;
using AgentLens.Operator.Domain;
using k8s.Autorest;

namespace AgentLens.Operator.Sources;

/// <summary>
/// Agents announced by annotations on Services. Lists Services (all namespaces or the configured ones,
/// paginated, optionally by label selector) and keeps those annotated <c>agentlens.io/type</c>. A Service
/// with a bad annotation is skipped with a warning, a metric and (through <see cref="Rejections"/>) a Warning
/// Event on the Service; a list that fails in any namespace fails the whole source for this cycle, so no
/// partial list ever makes agents look gone. A Service only ever announces its own address: a card path
/// stays on it, and an ExternalName that resolves into another namespace — by name in any form the cluster's
/// DNS answers, or as another namespace's ClusterIP in any textual form — is refused (CrossNamespaceTarget)
/// unless <c>allowCrossNamespaceExternalName</c> is set — a tenant cannot point the crawler elsewhere
/// (<see cref="ClusterAddresses"/>).
/// </summary>
internal sealed class KubernetesServiceSource(IServiceLister lister, SourceOptions options, Metrics metrics, ILogger<KubernetesServiceSource> logger) : IAgentSource
{
    private static readonly string[] DefaultPortNames = ["http", "a2a", "mcp"];

    public string Name => "kubernetes";

    public SourceType Type => SourceType.Kubernetes;

    public IReadOnlyList<Rejection> Rejections { get; private set; } = [];

    private List<Rejection> rejected = [];

    // The namespaces and ClusterIPs of the last complete list; a targeted reconcile judges by it too.
    private volatile ClusterAddresses cluster = ClusterAddresses.Empty;

    public async Task<IReadOnlyList<DiscoveredAgent>> DiscoverAsync(CancellationToken cancellationToken)
    {
        rejected = [];
        var agents = new List<DiscoveredAgent>();
        var announcing = new List<V1Service>();
        var addresses = new ClusterAddresses.Builder(options.Namespaces);
        var namespaces = options.Namespaces.Count == 0 ? new List<string?> { null } : options.Namespaces.Select(n => (string?)n).ToList();
        foreach (var ns in namespaces)
        {
            string? continueToken = null;
            do
            {
                ServicePage page;
                try
                {
                    page = await lister.ListAsync(ns, options.LabelSelector, ListPages.Size, continueToken, cancellationToken);
                }
                catch (HttpOperationException e)
                {
                    var status = e.Response?.StatusCode ?? 0;
                    throw new SourceException(status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized ? "Forbidden" : "ApiError",
                        $"listing Services in {ns ?? "all namespaces"} failed: {(int)status} {e.Response?.ReasonPhrase} {Brief(e.Response?.Content)}".TrimEnd(), e);
                }
                catch (ResourceExpiredException e)
                {
                    // The list took longer than the server keeps its snapshot; the next cycle lists afresh.
                    throw new SourceException("ApiError", $"listing Services in {ns ?? "all namespaces"} failed: {e.Message}", e);
                }
                catch (HttpRequestException e)
                {
                    throw new SourceException("Unavailable", $"listing Services in {ns ?? "all namespaces"} failed: the API server is unreachable ({e.Message})", e);
                }

                // Every Service's address is known before any is judged: one may point at a later page's.
                foreach (var service in page.Items)
                {
                    addresses.Add(service);
                    if (service.Metadata?.Annotations?.ContainsKey(Annotations.Type) == true)
                    {
                        announcing.Add(service);
                    }
                }

                continueToken = page.Continue;
            }
            while (continueToken is not null);
        }

        cluster = addresses.Build();
        foreach (var service in announcing)
        {
            if (TryMap(service) is { } agent)
            {
                agents.Add(agent);
            }
        }

        Rejections = rejected;
        return agents;
    }

    /// <summary>
    /// One Service, as the list would give it: null when it is gone or outside the configured namespaces or
    /// label selector.
    /// </summary>
    public async Task<V1Service?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        if (options.Namespaces.Count > 0 && !options.Namespaces.Contains(@namespace, StringComparer.Ordinal))
        {
            return null;
        }

        var service = await lister.GetAsync(@namespace, name, cancellationToken);
        return service is not null && MatchesSelector(service) ? service : null;
    }

    private bool MatchesSelector(V1Service service) =>
        LabelSelector.Matches(options.LabelSelector, service.Metadata?.Labels?.AsReadOnly() ?? (IReadOnlyDictionary<string, string>)new Dictionary<string, string>());

    /// <summary>The agent a Service announces, or null (with a warning) when it does not announce one properly.</summary>
    internal DiscoveredAgent? TryMap(V1Service service)
    {
        var annotations = service.Metadata?.Annotations;
        if (annotations is null || !annotations.TryGetValue(Annotations.Type, out var type))
        {
            return null;
        }

        var ns = service.Metadata!.NamespaceProperty ?? "default";
        var name = service.Metadata.Name;
        var uid = service.Metadata.Uid;
        DiscoveredAgent? Skip(string reason, string message) => this.Skip(ns, name, uid, reason, message);
        if (!ProtocolNames.TryParse(type, out var protocol))
        {
            return Skip("UnknownType", $"{Annotations.Type} is '{Brief(type, 63)}'; expected a2a, mcp or a2ui");
        }

        var ports = service.Spec?.Ports ?? [];
        var portAnnotation = Get(annotations, Annotations.Port)?.Trim();
        int? port;
        if (!string.IsNullOrEmpty(portAnnotation))
        {
            if (int.TryParse(portAnnotation, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                if (number is < 1 or > 65535)
                {
                    return Skip("InvalidPort", $"{Annotations.Port} '{portAnnotation}' is not a port number");
                }

                port = number;
            }
            else
            {
                port = ports.FirstOrDefault(p => p.Name == portAnnotation)?.Port;
                if (port is null)
                {
                    return Skip("InvalidPort", $"{Annotations.Port} names port '{portAnnotation}', which the Service does not have");
                }
            }
        }
        else
        {
            port = (DefaultPortNames.Select(n => ports.FirstOrDefault(p => p.Name == n)).FirstOrDefault(p => p is not null) ?? ports.FirstOrDefault())?.Port;
        }

        var schemeAnnotation = Get(annotations, Annotations.Scheme)?.Trim().ToLowerInvariant();
        if (schemeAnnotation is not (null or "" or "http" or "https"))
        {
            return Skip("InvalidScheme", $"{Annotations.Scheme} is '{schemeAnnotation}'; expected http or https");
        }

        var scheme = string.IsNullOrEmpty(schemeAnnotation) ? (port == 443 ? "https" : "http") : schemeAnnotation;
        var isExternal = service.Spec?.Type == "ExternalName";
        if (port is null && !isExternal)
        {
            return Skip("NoPort", "the Service has no ports and no port annotation");
        }

        TimeSpan? timeout = null;
        if (annotations.TryGetValue(Annotations.Timeout, out var timeoutText))
        {
            if (!Duration.TryParse(timeoutText, out var parsed) || parsed <= TimeSpan.Zero || parsed > TimeSpan.FromMinutes(10))
            {
                return Skip("InvalidTimeout", $"{Annotations.Timeout} '{timeoutText}' is not a duration between 1ms and 10m (e.g. 5s)");
            }

            timeout = parsed;
        }

        var host = isExternal ? service.Spec!.ExternalName?.Trim().TrimEnd('.').ToLowerInvariant() : $"{name}.{ns}.svc.{options.ClusterDomain}";
        if (string.IsNullOrEmpty(host))
        {
            return Skip("NoHost", "the ExternalName Service has no externalName");
        }

        var bracketed = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        var authority = port is null ? bracketed : $"{bracketed}:{port.Value.ToString(CultureInfo.InvariantCulture)}";
        if (!AgentEndpoint.TryNormalize($"{scheme}://{authority}", out var origin, out var error))
        {
            return Skip("InvalidEndpoint", error ?? "invalid endpoint");
        }

        if (isExternal && !options.AllowCrossNamespaceExternalName && cluster.CrossNamespace(host, new Uri(origin), ns, options.ClusterDomain) is { } crossing)
        {
            return Skip("CrossNamespaceTarget", $"{crossing}; a Service may only announce agents of its own namespace (rule CrossNamespaceTarget, --crawl-allow-cross-namespace-external-name)");
        }

        SecretReference? credentials = null;
        if (options.CredentialsSecrets && NullIfEmpty(Get(annotations, Annotations.CredentialsSecret)) is { } secretName)
        {
            // Only a Secret of the Service's own namespace: a tenant names its own credentials, never another's.
            if (!IsSecretName(secretName))
            {
                return Skip("InvalidCredentialsSecret", $"{Annotations.CredentialsSecret} must name a Secret of the Service's namespace (a DNS subdomain name, no namespace)");
            }

            credentials = new SecretReference(ns, secretName);
        }

        var cardPath = Get(annotations, Annotations.CardPath);
        var mcpPath = Get(annotations, Annotations.McpPath)?.Trim();
        var basePath = Get(annotations, Annotations.Path)?.Trim();
        foreach (var (key, path) in new[] { (Annotations.McpPath, mcpPath), (Annotations.Path, basePath) })
        {
            if (!string.IsNullOrEmpty(path) && (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains("://", StringComparison.Ordinal)))
            {
                return Skip(key == Annotations.Path ? "PathNotOnService" : "McpPathNotOnService", $"{key} must be a path on the Service, such as /agents/weather");
            }
        }

        var explicitCard = ImmutableArray<string>.Empty;
        if (!string.IsNullOrWhiteSpace(cardPath) && !WellKnownPaths.TryCardUrls(protocol, origin, cardPath, out explicitCard, out var cardError))
        {
            return Skip("CardPathNotOnService", $"{Annotations.CardPath}: {cardError}");
        }

        // The agent's identity: its own base path on the Service, so agents sharing a gateway stay apart.
        var endpoint = !string.IsNullOrEmpty(basePath) ? AgentEndpoint.Normalize(origin + basePath)
            : !explicitCard.IsDefaultOrEmpty ? WellKnownPaths.IdentityFromCardUrl(AgentEndpoint.Normalize(explicitCard[0]))
            : protocol == Protocol.Mcp && !string.IsNullOrEmpty(mcpPath) && mcpPath != WellKnownPaths.McpEndpoint ? AgentEndpoint.Normalize(origin + mcpPath)
            : origin;
        var cardUrls = !explicitCard.IsDefaultOrEmpty ? explicitCard : WellKnownPaths.CardUrls(protocol, endpoint, null);

        return new DiscoveredAgent
        {
            Protocol = protocol,
            Endpoint = endpoint,
            CardUrls = cardUrls,
            McpUrl = protocol == Protocol.Mcp ? (string.IsNullOrEmpty(mcpPath) ? WellKnownPaths.McpUrl(endpoint, null) : AgentEndpoint.Resolve(origin, mcpPath)) : null,
            Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name },
            SourceUid = uid,
            SourceCreated = service.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
            Team = NullIfEmpty(Get(annotations, Annotations.Team)),
            Tags = TagList.Parse(Get(annotations, Annotations.Tags)),
            Timeout = timeout,
            CredentialsSecret = credentials,
        };
    }

    /// <summary>A Secret's name: a DNS subdomain (RFC 1123), at most 253 characters; a slash (another namespace) is not one.</summary>
    private static bool IsSecretName(string name) =>
        name.Length <= 253 && name.Split('.').All(label => label.Length is > 0 and <= 63
            && char.IsAsciiLetterLower(label[0]) | char.IsAsciiDigit(label[0]) && char.IsAsciiLetterLower(label[^1]) | char.IsAsciiDigit(label[^1])
            && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));

    private DiscoveredAgent? Skip(string ns, string name, string? uid, string reason, string message)
    {
        Log.ServiceSkipped(logger, ns, name, reason, message);
        metrics.SourceSkipped(Name, reason);
        rejected.Add(new Rejection(new SourceRef { Type = SourceType.Kubernetes, Namespace = ns, Name = name }, uid, reason, message));
        return null;
    }

    private static string? Get(IDictionary<string, string> annotations, string key) =>
        annotations.TryGetValue(key, out var value) ? value : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Brief(string? content, int max = 200) => content is null ? string.Empty : content.Length <= max ? content : content[..max];
}
