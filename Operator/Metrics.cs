using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AgentLens.Operator.Domain;

namespace AgentLens.Operator;

/// <summary>
/// Every metric the operator exports, with stable names, in one place. Names are given without the
/// suffixes the Prometheus exporter adds: a counter gains <c>_total</c> and a unit of "s" gains
/// <c>_seconds</c>, so <c>agentlens_discovery_cycles</c> is scraped as <c>agentlens_discovery_cycles_total</c>.
/// No metric has a per-agent label: cardinality stays bounded at thousands of agents.
/// </summary>
internal sealed class Metrics
{
    public const string MeterName = "AgentLens.Operator";

    private readonly Counter<long> cycles;
    private readonly Histogram<double> cycleDuration;
    private readonly Counter<long> sourceErrors;
    private readonly Counter<long> sourceSkipped;
    private readonly Counter<long> crawlRequests;
    private readonly Histogram<double> crawlDuration;
    private readonly Counter<long> catalogWrites;
    private readonly Counter<long> pushEntryInvalid;
    private readonly Counter<long> missedTicks;
    private readonly Counter<long> duplicateAgents;
    private readonly Counter<long> capabilityChanges;
    private readonly Histogram<double> leaseExpiryNoticed;
    private readonly Counter<long> signatureChecks;
    private readonly Counter<long> apiRequests;
    private readonly Counter<long> eventsReceived;
    private readonly Counter<long> eventsCoalesced;
    private readonly Counter<long> targetedReconciles;
    private readonly Histogram<double> eventToWrite;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> apiRequestCounts = new(StringComparer.Ordinal);
    private readonly Counter<long> trustRootsInvalid;
    private readonly Counter<long> crawlAbandoned;
    private readonly Counter<long> mcpSessionCloseFailures;
    private readonly Counter<long> eventsDropped;
    private readonly Counter<long> earlyCyclesDeferred;
    private readonly Counter<long> catalogLoopFailures;
    private readonly Counter<long> listWatchRestarts;
    private readonly Counter<long> listWatchConsumerFailures;
    private readonly Counter<long> listWatchRelists;
    private Func<IReadOnlyDictionary<Liveness, int>> pushLiveness = () => new Dictionary<Liveness, int>();
    private readonly ConcurrentDictionary<string, int> sourceAgents = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<(Protocol, Lifecycle, SourceType), int> catalogEntries = new Dictionary<(Protocol, Lifecycle, SourceType), int>();
    private double lastSuccess;
    private Func<int> watchers = () => 0;
    private int leader;

    public Metrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        cycles = meter.CreateCounter<long>("agentlens_discovery_cycles", description: "Discovery cycles, by result (success, partial, failure).");
        cycleDuration = meter.CreateHistogram<double>("agentlens_discovery_cycle_duration", "s", "Duration of a whole discovery cycle.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        meter.CreateObservableGauge("agentlens_discovery_last_success_timestamp", () => Volatile.Read(ref lastSuccess), "s", "Unix time of the last cycle in which every source succeeded.");
        meter.CreateObservableGauge("agentlens_source_agents", ObserveSourceAgents, description: "Agents each source returned in the last cycle.");
        sourceErrors = meter.CreateCounter<long>("agentlens_source_errors", description: "Failed source runs and invalid source inputs, by source and reason.");
        sourceSkipped = meter.CreateCounter<long>("agentlens_source_skipped", description: "Annotated Services or static entries skipped as invalid, by source and reason.");
        crawlRequests = meter.CreateCounter<long>("agentlens_crawl_requests", description: "Card fetches, by protocol and result (ok, not_modified, or the failure reason).");
        crawlDuration = meter.CreateHistogram<double>("agentlens_crawl_duration", "s", "Duration of fetching one agent's card (and introspecting an MCP server).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        meter.CreateObservableGauge("agentlens_catalog_entries", ObserveCatalogEntries, description: "Catalog entries by protocol, lifecycle and source.");
        catalogWrites = meter.CreateCounter<long>("agentlens_catalog_writes", description: "Writes to the catalog ConfigMaps, by operation (create, update, delete, conflict, refused).");
        pushEntryInvalid = meter.CreateCounter<long>("agentlens_push_entries_invalid", description: "Push entries that could not be read, by reason.");
        capabilityChanges = meter.CreateCounter<long>("agentlens_capability_changes", description: "Capabilities added, removed or redefined under an existing entry, by change.");
        duplicateAgents = meter.CreateCounter<long>("agentlens_duplicate_agents", description: "Announcements ignored because another source object owns their endpoint, by source.");
        leaseExpiryNoticed = meter.CreateHistogram<double>("agentlens_lease_expiry_to_event", "s", "Time from a push entry's Lease expiring until readers were told.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10] });
        meter.CreateObservableGauge("agentlens_push_entries", ObservePushLiveness, description: "Push entries by liveness (none: no Lease; live, expired, missing).");
        eventsReceived = meter.CreateCounter<long>("agentlens_events_received", description: "Service changes the event trigger heard of (--events).");
        eventsCoalesced = meter.CreateCounter<long>("agentlens_events_coalesced", description: "Service changes handled together with another change of the same Service.");
        targetedReconciles = meter.CreateCounter<long>("agentlens_targeted_reconciles", description: "Reconciles of changed Services only, by result (done; full_cycle: handed to an early full cycle; burst; follower: not the leader).");
        eventToWrite = meter.CreateHistogram<double>("agentlens_event_to_write_duration", "s", "Time from hearing of a Service change until its entry was written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] });
        apiRequests = meter.CreateCounter<long>("agentlens_apiserver_requests", description: "Requests to the Kubernetes API server, by verb (list, watch, get, create, update, patch, delete).");
        signatureChecks = meter.CreateCounter<long>("agentlens_card_signature_checks", description: "A2A card signature checks, by outcome (Verified, Unsigned, NoTrustRoots, InvalidSignature, UntrustedKey, MalformedSignature, UnsupportedAlgorithm, JkuLimitReached).");
        trustRootsInvalid = meter.CreateCounter<long>("agentlens_trust_roots_invalid", description: "Times the trust roots file could not be read; the last good keys stay in use.");
        missedTicks = meter.CreateCounter<long>("agentlens_discovery_missed_ticks", description: "Poll ticks skipped because a cycle ran longer than the poll interval.");
        meter.CreateObservableGauge("agentlens_api_watchers", () => watchers(), description: "Open watch streams of the catalog API on this replica.");
        meter.CreateObservableGauge("agentlens_leader", () => Volatile.Read(ref leader), description: "1 when this replica is the leader and reconciles, else 0.");
        crawlAbandoned = meter.CreateCounter<long>("agentlens_crawl_abandoned", description: "Agents still being crawled when the cycle budget ended: not waited for, deferred to the next cycle, by protocol.");
        mcpSessionCloseFailures = meter.CreateCounter<long>("agentlens_mcp_session_close_failures", description: "MCP sessions whose close (DELETE) failed or did not end within the agent's timeout, by reason (timeout, error); what the server listed is kept.");
        eventsDropped = meter.CreateCounter<long>("agentlens_events_dropped", description: "Kubernetes Events not written, by reason and limit (repeat, namespace, global).");
        earlyCyclesDeferred = meter.CreateCounter<long>("agentlens_early_cycles_deferred", description: "Early full cycles asked for by events (--events) and held back by minEarlyCycleInterval.");
        listWatchRestarts = meter.CreateCounter<long>("agentlens_watch_restarts", description: "List/watch restarts, by resource and reason (expired: relisted after 410 Gone; list-expired; failed: listed again after a backoff; ended: resumed after a backoff).");
        listWatchRelists = meter.CreateCounter<long>("agentlens_watch_relists", description: "Full lists after the first, by resource: each follows a 410 Gone, and tells only what changed.");
        listWatchConsumerFailures = meter.CreateCounter<long>("agentlens_watch_consumer_failures", description: "Changes a list/watch consumer failed on, by resource; the watch goes on.");
        catalogLoopFailures = meter.CreateCounter<long>("agentlens_catalog_loop_failures", description: "Failed evaluations in the catalog cache, by loop (liveness, lease-event); each is retried.");
        (searchRequests, searchDuration) = CreateSearchInstruments(meter);
        (mcpRefreshes, mcpNotifications) = CreateFreshnessInstruments(meter);
        federationSkipped = CreateFederationInstruments(meter);
    }

    /// <summary>One card fetch; <paramref name="result"/> is the crawler's word for how it ended (ok, not_modified, a failure reason).</summary>
    public void RecordCrawl(Protocol protocol, string result, TimeSpan elapsed)
    {
        crawlRequests.Add(1, new("protocol", protocol.ToWire()), new("result", result));
        crawlDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("protocol", protocol.ToWire()));
    }

    public void SourceSkipped(string source, string reason) => sourceSkipped.Add(1, new("source", source), new("reason", reason));

    public void SourceError(string source, string reason) => sourceErrors.Add(1, new("source", source), new("reason", reason));

    public void SourceAgents(string source, int count) => sourceAgents[source] = count;

    public void Cycle(string result, TimeSpan duration, DateTimeOffset? success)
    {
        cycles.Add(1, new KeyValuePair<string, object?>("result", result));
        cycleDuration.Record(duration.TotalSeconds);
        if (success is { } at)
        {
            Volatile.Write(ref lastSuccess, at.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    public void CatalogWrite(string operation) => catalogWrites.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void PushEntryInvalid(string reason) => pushEntryInvalid.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void CatalogEntries(IReadOnlyDictionary<(Protocol, Lifecycle, SourceType), int> counts) => catalogEntries = counts;

    public void CapabilityChanges(int added, int removed, int changed)
    {
        foreach (var (change, count) in new[] { ("added", added), ("removed", removed), ("changed", changed) })
        {
            if (count > 0)
            {
                capabilityChanges.Add(count, new KeyValuePair<string, object?>("change", change));
            }
        }
    }

    public void DuplicateAgent(SourceType source) => duplicateAgents.Add(1, new KeyValuePair<string, object?>("source", source.ToWire()));

    public void LeaseExpiryNoticed(TimeSpan delay) => leaseExpiryNoticed.Record(Math.Max(0, delay.TotalSeconds));

    public void ObservePushLiveness(Func<IReadOnlyDictionary<Liveness, int>> counts) => pushLiveness = counts;

    private IEnumerable<Measurement<int>> ObservePushLiveness() =>
        pushLiveness().Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("liveness", kv.Key.ToString().ToLowerInvariant())));

    public void MissedTicks(long count) => missedTicks.Add(count);

    public void EventsReceived(int count, int coalesced)
    {
        eventsReceived.Add(count);
        eventsCoalesced.Add(coalesced);
    }

    public void TargetedReconcile(string result) => targetedReconciles.Add(1, new KeyValuePair<string, object?>("result", result));

    public void EventToWrite(TimeSpan delay) => eventToWrite.Record(Math.Max(0, delay.TotalSeconds));

    public void ApiRequest(string verb)
    {
        apiRequests.Add(1, new KeyValuePair<string, object?>("verb", verb));
        apiRequestCounts.AddOrUpdate(verb, 1, (_, n) => n + 1);
    }

    /// <summary>Requests so far by verb, for a cycle's own count (the difference of two of these).</summary>
    public IReadOnlyDictionary<string, long> ApiRequestCounts() => new Dictionary<string, long>(apiRequestCounts, StringComparer.Ordinal);

    public void SignatureChecked(string outcome) => signatureChecks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void TrustRootsInvalid() => trustRootsInvalid.Add(1);

    public void ObserveWatchers(Func<int> count) => watchers = count;

    public void Leader(bool isLeader) => Volatile.Write(ref leader, isLeader ? 1 : 0);

    public void CrawlAbandoned(Protocol protocol) => crawlAbandoned.Add(1, new KeyValuePair<string, object?>("protocol", protocol.ToWire()));

    public void McpSessionCloseFailed(string reason) => mcpSessionCloseFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>An Event not written: by its reason (a fixed set of ours) and the limit that dropped it, never by namespace.</summary>
    public void EventDropped(string reason, string limit) => eventsDropped.Add(1, new("reason", reason), new("limit", limit));

    /// <summary>An early full cycle the event trigger asked for, held back until the minimum spacing had passed.</summary>
    public void EarlyCycleDeferred() => earlyCyclesDeferred.Add(1);

    public void ListWatchRestart(string resource, string reason) => listWatchRestarts.Add(1, new("resource", resource), new("reason", reason));


    public void ListWatchRelisted(string resource) => listWatchRelists.Add(1, new KeyValuePair<string, object?>("resource", resource));

    public void ListWatchConsumerFailed(string resource) => listWatchConsumerFailures.Add(1, new KeyValuePair<string, object?>("resource", resource));

    public void CatalogLoopFailed(string loop) => catalogLoopFailures.Add(1, new KeyValuePair<string, object?>("loop", loop));

    private IEnumerable<Measurement<int>> ObserveSourceAgents() =>
        sourceAgents.Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("source", kv.Key)));

    private IEnumerable<Measurement<int>> ObserveCatalogEntries() =>
        catalogEntries.Select(kv => new Measurement<int>(kv.Value,
            new("protocol", kv.Key.Item1.ToWire()), new("lifecycle", kv.Key.Item2.ToString()), new("source", kv.Key.Item3.ToWire())));

    /// <summary>A PascalCase name as a snake_case label value.</summary>
    public static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>The .NET runtime's built-in meter (GC heap sizes, committed memory, working set), exported beside ours.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Runtime gauges left out of the exposition: their Prometheus names end in <c>_count</c>, which marks a
    /// histogram's or summary's series, so scrapers and <c>promtool check metrics</c> would misread them.
    /// </summary>
    public static readonly string[] RuntimeInstrumentsLeftOut = ["dotnet.assembly.count", "dotnet.process.cpu.count", "dotnet.timer.count"];

    /// <summary>Series kept per instrument: every label here has a handful of values, never one per agent or namespace.</summary>
    public const int SeriesPerInstrument = 128;

    private readonly Counter<long> searchRequests;
    private readonly Histogram<double> searchDuration;
    private Func<int> searchDocuments = () => 0;

    private (Counter<long>, Histogram<double>) CreateSearchInstruments(Meter meter)
    {
        meter.CreateObservableGauge("agentlens_search_index_documents", () => searchDocuments(), description: "Catalog entries in this replica's search index.");
        return (
            meter.CreateCounter<long>("agentlens_search_requests", description: "Searches of the catalog, by binding (http, mcp) and result (ok, bad_request)."),
            meter.CreateHistogram<double>("agentlens_search_duration", "s", "Time to answer one search from the index.",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] }));
    }

    public void Searched(string binding, string result, TimeSpan took)
    {
        searchRequests.Add(1, new("binding", binding), new("result", result));
        searchDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("binding", binding));
    }

    public void ObserveSearchDocuments(Func<int> count) => searchDocuments = count;

    private readonly Counter<long> mcpRefreshes;
    private readonly Counter<long> mcpNotifications;
    private Func<int> mcpSubscriptions = () => 0;

    private (Counter<long>, Counter<long>) CreateFreshnessInstruments(Meter meter)
    {
        meter.CreateObservableGauge("agentlens_mcp_subscriptions", () => mcpSubscriptions(), description: "list_changed subscriptions this replica holds open to MCP servers.");
        return (
            meter.CreateCounter<long>("agentlens_mcp_refreshes", description: "MCP entries introspected again between full cycles (a TTL ran out, a list_changed notification), by result (done, skipped, failed, follower)."),
            meter.CreateCounter<long>("agentlens_mcp_notifications", description: "list_changed notifications received from MCP servers, by result (scheduled, coalesced, ignored)."));
    }

    public void McpRefresh(string result, int entries) => mcpRefreshes.Add(entries, new KeyValuePair<string, object?>("result", result));

    public void McpNotification(string result) => mcpNotifications.Add(1, new KeyValuePair<string, object?>("result", result));

    public void ObserveMcpSubscriptions(Func<int> count) => mcpSubscriptions = count;
    private readonly Counter<long> federationSkipped;
    private Func<IEnumerable<(string Cluster, bool Reachable, bool Removed, int Entries)>> federationMembers = () => [];

    private Counter<long> CreateFederationInstruments(Meter meter)
    {
        meter.CreateObservableGauge("agentlens_federation_members", ObserveFederationMembers,
            description: "A hub's member clusters, by state (reachable, unreachable, removed: gone from the inventory, entries kept for the retention).");
        meter.CreateObservableGauge("agentlens_federation_member_entries", () => federationMembers().Select(m =>
            new Measurement<int>(m.Entries, new KeyValuePair<string, object?>("cluster", m.Cluster))), description: "Entries a hub holds from each member cluster.");
        return meter.CreateCounter<long>("agentlens_federation_entries_skipped",
            description: "Member entries (or members) a hub did not take, by reason (federated, invalid, invalid_name, limit, too_large, invalid_member).");
    }

    private IEnumerable<Measurement<int>> ObserveFederationMembers()
    {
        var members = federationMembers().ToList();
        yield return new(members.Count(m => !m.Removed && m.Reachable), new KeyValuePair<string, object?>("state", "reachable"));
        yield return new(members.Count(m => !m.Removed && !m.Reachable), new KeyValuePair<string, object?>("state", "unreachable"));
        yield return new(members.Count(m => m.Removed), new KeyValuePair<string, object?>("state", "removed"));
    }

    public void FederatedEntrySkipped(string reason) => federationSkipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ObserveFederation(Func<IEnumerable<(string Cluster, bool Reachable, bool Removed, int Entries)>> members) => federationMembers = members;
}
