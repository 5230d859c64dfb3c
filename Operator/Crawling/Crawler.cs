using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using AgentLens.Operator.Cards;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator.Crawling;

/// <summary>One agent to crawl, with the validators of its last good fetch for a conditional request.</summary>
internal sealed record CrawlRequest(DiscoveredAgent Agent, string? ETag = null, string? LastModified = null);

internal abstract record CrawlOutcome;

/// <summary>
/// A card was fetched and parsed. <see cref="Digest"/> is the sha256 of what was read. For MCP,
/// <see cref="IntrospectionFailure"/> says why the server could not be asked for what its card does not list.
/// </summary>
internal sealed record CardFetched(ParsedCard Card, string CardUrl, string Digest, string? ETag, string? LastModified, ReadOnlyMemory<byte> Raw) : CrawlOutcome
{
    public CrawlFailure? IntrospectionFailure { get; init; }

    /// <summary>A2A: what the check of the card's signatures found (null: not checked).</summary>
    public SignatureVerdict? Signature { get; init; }

    /// <summary>MCP, when the live server was asked: how long its lists stay valid and whether it announces changes.</summary>
    public McpListHints? McpLists { get; init; }
}

/// <summary>The server answered 304: the card is what it was at the last fetch.</summary>
internal sealed record CardUnchanged : CrawlOutcome;

internal sealed record CrawlFailed(CrawlFailure Failure) : CrawlOutcome;

/// <summary>The cycle's crawl budget ran out before this agent's turn: its entry stays as it is until next cycle.</summary>
internal sealed record CrawlDeferred : CrawlOutcome;

internal sealed record CrawlResult(DiscoveredAgent Agent, CrawlOutcome Outcome, TimeSpan Duration);

/// <summary>
/// Fetches many agents' cards at once: at most <c>concurrency</c> requests in flight and at most
/// <c>perHostConcurrency</c> per host (scheme, host and port), so a cycle takes about as long as its slowest
/// agent rather than the sum of all of them. Each agent's failure is its own result; nothing throws out.
/// Time is bounded three ways: each request by the agent's timeout (capped at <c>maxTimeout</c>), all of an
/// agent's requests together by <c>agentBudget</c>, and the whole crawl by <c>cycleBudget</c> — agents still
/// waiting or in flight then are <see cref="CrawlDeferred"/> and not waited for, so no tenant can hold the cycle.
/// </summary>
internal sealed partial class Crawler(HttpFetcher fetcher, McpIntrospector introspector, IEnumerable<ICardParser> parsers, TimeProvider time, CrawlOptions crawl, Metrics metrics,
    ISignatureVerifier? verifier = null, ICredentialReader? credentials = null) : ICrawler
{
    private readonly ProtectedResourceProbe probe = new(fetcher);

    private readonly Dictionary<Protocol, ICardParser> parserFor = parsers
        .SelectMany(p => p.Protocols.Select(protocol => (protocol, p)))
        .ToDictionary(x => x.protocol, x => x.p);

    public Task<IReadOnlyList<CrawlResult>> CrawlAsync(IReadOnlyList<CrawlRequest> requests, CancellationToken cancellationToken) => CrawlAsync(requests, null, cancellationToken);

    public async Task<CrawlResult> CrawlOneAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        CrawlOutcome outcome;
        using var budget = new CancellationTokenSource(crawl.AgentBudget, time);
        using var budgetOrStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            // The token is the crawl's alone: the result carries the agent as the source gave it.
            var agent = await WithCredentialsAsync(request.Agent, budgetOrStop.Token);
            outcome = agent is null
                ? new CrawlFailed(new CrawlFailure(CrawlFailureReason.Configuration, $"{request.Agent.Endpoint}: a credentials Secret ({request.Agent.CredentialsSecret}) is named, but reading them is not enabled (--crawl-credentials-secrets)"))
                : agent.Protocol == Protocol.Mcp
                ? await CrawlMcpAsync(agent, budgetOrStop.Token)
                : await CrawlCardAsync(request with { Agent = agent }, budgetOrStop.Token);
            if (outcome is CardFetched fetched && request.Agent.Protocol == Protocol.A2a && verifier is not null)
            {
                outcome = fetched with { Signature = await verifier.VerifyAsync(fetched.Raw, request.Agent, budgetOrStop.Token) };
            }
        }
        catch (CredentialException e)
        {
            // The message names the Secret and the key, never a value.
            outcome = new CrawlFailed(new CrawlFailure(CrawlFailureReason.Configuration, e.Message));
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            outcome = new CrawlFailed(new CrawlFailure(CrawlFailureReason.Timeout,
                $"{request.Agent.Endpoint}: all requests together took longer than the agent budget of {Duration.Format(crawl.AgentBudget)}"));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever one agent does (a URL the HTTP stack refuses, say) stays that agent's failure.
            outcome = new CrawlFailed(new CrawlFailure(CrawlFailureReason.Configuration, $"{request.Agent.Endpoint}: {e.GetType().Name}: {e.Message}"));
        }

        var elapsed = time.GetElapsedTime(started);
        metrics.RecordCrawl(request.Agent.Protocol, MetricResult(outcome), elapsed);
        return new CrawlResult(request.Agent, outcome, elapsed);
    }

    /// <summary>The agent with the token of its credentials Secret, when it names one and reading them is enabled.</summary>
    private async Task<DiscoveredAgent?> WithCredentialsAsync(DiscoveredAgent agent, CancellationToken cancellationToken) =>
        agent.CredentialsSecret is not { } secret || agent.BearerTokenFile is not null ? agent
        : credentials is null ? null
        : agent with { BearerToken = await credentials.ReadTokenAsync(secret, cancellationToken) };

    /// <summary>How a fetch ended, as the result label of agentlens_crawl_requests.</summary>
    internal static string MetricResult(CrawlOutcome outcome) => outcome switch
    {
        CardFetched => "ok",
        CardUnchanged => "not_modified",
        CrawlFailed f => Metrics.Snake(f.Failure.Reason.ToString()),
        _ => "unknown",
    };

    /// <summary>A2A and A2UI: the card URLs in order, the next only after a 404; conditional when we can.</summary>
    private async Task<CrawlOutcome> CrawlCardAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        CrawlFailure? last = null;
        foreach (var url in request.Agent.CardUrls)
        {
            var (response, failure) = await fetcher.SendAsync(CardRequest(request.Agent, url) with { IfNoneMatch = request.ETag, IfModifiedSince = request.LastModified }, cancellationToken);
            if (response is null)
            {
                return new CrawlFailed(failure!);
            }

            if (response.Status == HttpStatusCode.NotModified)
            {
                return new CardUnchanged();
            }

            if (response.Status == HttpStatusCode.NotFound)
            {
                last = StatusFailure(url, response);
                continue;
            }

            return response.IsSuccess ? Parse(request.Agent, url, response) : new CrawlFailed(StatusFailure(url, response));
        }

        return new CrawlFailed(last ?? new CrawlFailure(CrawlFailureReason.Configuration, "no card URL to fetch"));
    }

    /// <summary>
    /// MCP: the card paths in order (any HTTP error status means "no card here"); when there is no card or it
    /// lists no tools, the server is introspected live. MCP cards are fetched unconditionally: the tools may
    /// change while the card does not.
    /// </summary>
    private async Task<CrawlOutcome> CrawlMcpAsync(DiscoveredAgent agent, CancellationToken cancellationToken)
    {
        CardFetched? card = null;
        var mcpUrl = agent.McpUrl ?? WellKnownPaths.McpUrl(agent.Endpoint, null);
        var catalogAnswered = false;
        ImmutableArray<Capability> catalogSkills = [];
        foreach (var listed in agent.CardUrls)
        {
            var url = listed;
            var isCatalog = url.EndsWith(WellKnownPaths.AiCatalog, StringComparison.Ordinal);
            var isArd = url.EndsWith(WellKnownPaths.Ard, StringComparison.Ordinal);
            if (isArd && catalogAnswered)
            {
                // ARD is only where the domain has no AI Catalog: the one it has already said what it lists.
                continue;
            }

            var (response, failure) = await fetcher.SendAsync(CardRequest(agent, url), cancellationToken);
            if (response is null)
            {
                return new CrawlFailed(failure!);
            }

            if (!response.IsSuccess)
            {
                continue;
            }

            catalogAnswered |= isCatalog;
            if (isCatalog || isArd)
            {
                catalogSkills = AiCatalog.Skills(response.Body);
                // The domain's index: follow it to this agent's server card, or read the card it carries inline.
                switch (AiCatalog.FindServerCard(response.Body, agent.Endpoint, mcpUrl))
                {
                    case null:
                        continue;
                    case { Inline: { } inline }:
                        response = response with { Body = inline, MediaType = "application/json" };
                        break;
                    case { Url: { } cardUrl }:
                        url = cardUrl;
                        (response, failure) = await fetcher.SendAsync(CardRequest(agent, url), cancellationToken);
                        if (response is null)
                        {
                            return new CrawlFailed(failure!);
                        }

                        if (!response.IsSuccess)
                        {
                            continue;
                        }

                        break;
                }
            }

            var parsed = Parse(agent, url, response);
            if (parsed is CrawlFailed)
            {
                return parsed;
            }

            card = (CardFetched)parsed;
            break;
        }

        if (card is not null && !catalogSkills.IsEmpty)
        {
            // The domain's catalog lists skill archives beside the server card: they are the agent's too.
            card = card with { Card = card.Card with { Capabilities = [.. card.Card.Capabilities.Concat(catalogSkills).DistinctBy(c => (c.Kind, c.Name))] } };
        }

        if (card is not null && card.Card.Capabilities.Any(c => c.Kind == CapabilityKinds.McpTool))
        {
            return card;
        }

        // A registry server.json names where the server listens; on the agent's own origin, that is where to ask.
        if (card?.Card.McpRemoteUrl is { } remote && AgentEndpoint.TryNormalize(remote, out var normalizedRemote, out _)
            && AgentEndpoint.Origin(normalizedRemote) == AgentEndpoint.Origin(agent.Endpoint))
        {
            mcpUrl = normalizedRemote;
        }

        var (live, liveFailure) = await introspector.IntrospectAsync(agent, mcpUrl, TimeoutFor(agent), cancellationToken);
        if (live is null && liveFailure is { Challenge: { } challenge })
        {
            var authorization = await probe.DescribeAsync(mcpUrl, challenge, TimeoutFor(agent), cancellationToken);
            var sent = agent.BearerToken is not null || agent.BearerTokenFile is not null || agent.Headers.ContainsKey("Authorization");
            return Protected(agent, card, mcpUrl, liveFailure, authorization with { CredentialsSent = sent });
        }

        if (live is null)
        {
            // A card without tools is still a good card, but the entry must say that its tools are unknown.
            return card is null ? new CrawlFailed(liveFailure!) : card with { IntrospectionFailure = liveFailure };
        }

        var merged = new ParsedCard
        {
            DisplayName = card?.Card.DisplayName ?? live.Title ?? live.Name ?? AgentEndpoint.Origin(agent.Endpoint),
            Description = card?.Card.Description ?? live.Instructions,
            Version = card?.Card.Version ?? live.Version,
            ProtocolVersion = live.ProtocolVersion ?? card?.Card.ProtocolVersion,
            Provider = card?.Card.Provider,
            RegistryName = card?.Card.RegistryName ?? live.Name,
            WebsiteUrl = card?.Card.WebsiteUrl,
            Icons = card?.Card.Icons ?? [],
            Capabilities = [.. (card?.Card.Capabilities ?? []).Select(c => c with { Source = c.Source ?? CapabilitySources.Card })
                .Concat(live.Capabilities.Select(c => c with { Source = CapabilitySources.Introspection }))
                .DistinctBy(c => (c.Kind, c.Name))],
        };
        var raw = card is null ? live.Canonical : Concat(card.Raw, live.Canonical);
        return new CardFetched(merged, card?.CardUrl ?? mcpUrl, Digest(raw.Span), null, null, raw) { McpLists = live.Hints };
    }

    /// <summary>
    /// An MCP server that answered and refused: a good entry (Active) whose tools are unknown until access is
    /// granted, saying who grants it. Without a card, what the refusal said stands for the card, so its digest
    /// changes only when that does.
    /// </summary>
    private static CardFetched Protected(DiscoveredAgent agent, CardFetched? card, string mcpUrl, CrawlFailure refusal, AgentAuthorization authorization)
    {
        if (card is not null)
        {
            return card with { Card = card.Card with { Authorization = authorization }, IntrospectionFailure = refusal };
        }

        var raw = AuthorizationJson.Canonical(authorization);
        var parsed = new ParsedCard { DisplayName = authorization.ResourceName ?? AgentEndpoint.Origin(agent.Endpoint), Authorization = authorization };
        return new CardFetched(parsed, mcpUrl, Digest(raw), null, null, raw) { IntrospectionFailure = refusal };
    }

    private CrawlOutcome Parse(DiscoveredAgent agent, string url, FetchResponse response)
    {
        if (!LooksLikeJson(response.MediaType))
        {
            return new CrawlFailed(new CrawlFailure(CrawlFailureReason.ContentType, $"{url} answered with {response.MediaType}, not JSON"));
        }

        try
        {
            var card = parserFor[agent.Protocol].Parse(response.Body);
            return new CardFetched(card, url, Digest(response.Body.Span), response.ETag, response.LastModified, response.Body);
        }
        catch (CardParseException e)
        {
            var reason = e.Reason == CardErrorReason.InvalidJson ? CrawlFailureReason.InvalidJson : CrawlFailureReason.InvalidCard;
            // The parser's message names fields and positions, never the body's bytes.
            return new CrawlFailed(new CrawlFailure(reason, $"{url}: {e.Reason}: {e.Message}"));
        }
    }

    private FetchRequest CardRequest(DiscoveredAgent agent, string url) => new()
    {
        Url = url,
        Accept = agent.Protocol == Protocol.Mcp ? $"{AiCatalog.ServerCardType}, application/json" : "application/json",
        Timeout = TimeoutFor(agent),
        Headers = agent.Protocol == Protocol.Mcp ? agent.Headers : agent.Headers.SetItem("A2A-Version", "1.0"),
        BearerTokenFile = agent.BearerTokenFile,
        BearerToken = agent.BearerToken,
    };

    private TimeSpan TimeoutFor(DiscoveredAgent agent) => agent.Timeout is { } own && own < crawl.MaxTimeout ? own : agent.Timeout is null ? crawl.Timeout : crawl.MaxTimeout;

    private static CrawlFailure StatusFailure(string url, FetchResponse response) =>
        new(CrawlFailureReason.HttpStatus, $"{url} answered {(int)response.Status} {response.Status}");

    /// <summary>JSON, anything <c>+json</c>, or no type at all; HTML and the like are refused.</summary>
    private static bool LooksLikeJson(string? mediaType) =>
        mediaType is null or "text/plain" or "application/octet-stream"
        || mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    public static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static ReadOnlyMemory<byte> Concat(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b)
    {
        var all = new byte[a.Length + b.Length];
        a.CopyTo(all);
        b.CopyTo(all.AsMemory(a.Length));
        return all;
    }
}
