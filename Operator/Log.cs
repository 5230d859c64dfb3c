namespace AgentLens.Operator;

/// <summary>Every log message the operator writes, source-generated, in one place.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "AgentLens Operator starting against {Server} (store namespace {StoreNamespace}, poll interval {PollInterval})")]
    public static partial void Starting(ILogger logger, string server, string storeNamespace, TimeSpan pollInterval);

    [LoggerMessage(2, LogLevel.Information, "AgentLens Operator stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(10, LogLevel.Warning, "Skipping Service {Namespace}/{Name}: {Reason}: {Message}")]
    public static partial void ServiceSkipped(ILogger logger, string @namespace, string name, string reason, string message);

    [LoggerMessage(11, LogLevel.Error, "Static sources file {Path} is invalid, keeping the last good one ({Count} agents): {Problem}")]
    public static partial void StaticSourcesInvalid(ILogger logger, string path, int count, string problem);

    [LoggerMessage(12, LogLevel.Information, "Static sources file {Path} loaded: {Count} agents")]
    public static partial void StaticSourcesLoaded(ILogger logger, string path, int count);

    [LoggerMessage(13, LogLevel.Debug, "Static sources file {Path} does not exist; no static agents")]
    public static partial void StaticSourcesMissing(ILogger logger, string path);

    [LoggerMessage(20, LogLevel.Warning, "Could not record Event {Reason} on {Namespace}/{Name}: {Message}")]
    public static partial void EventFailed(ILogger logger, string reason, string @namespace, string name, string message);

    [LoggerMessage(21, LogLevel.Warning, "Source {Source} failed ({Reason}); its entries are left as they are: {Message}")]
    public static partial void SourceFailed(ILogger logger, string source, string reason, string message);

    [LoggerMessage(22, LogLevel.Warning, "Push entry {Name} is invalid: {Problem}")]
    public static partial void PushEntryInvalid(ILogger logger, string name, string problem);

    [LoggerMessage(23, LogLevel.Error, "Discovery cycle failed: {Message}")]
    public static partial void CycleFailed(ILogger logger, string message, Exception? exception);

    [LoggerMessage(24, LogLevel.Information, "Cycle {Result} in {Seconds:F2}s: sources [{Sources}]; entries {Entries}: {Created} created, {Updated} updated, {Offline} offline, {Deleted} deleted, {Unchanged} unchanged; {Writes} writes, {Conflicts} conflicts")]
    public static partial void CycleSummary(ILogger logger, string result, double seconds, string sources, int entries, int created, int updated, int offline, int deleted, int unchanged, int writes, int conflicts);

    [LoggerMessage(25, LogLevel.Warning, "Write to {Name} conflicted with another writer (attempt {Attempt}); re-reading and re-planning it")]
    public static partial void WriteConflict(ILogger logger, string name, int attempt);

    [LoggerMessage(26, LogLevel.Error, "Could not apply {Change} to {Name}: {Message}")]
    public static partial void ApplyFailed(ILogger logger, string change, string name, string message);

    [LoggerMessage(27, LogLevel.Warning, "Could not write the operator status: {Message}")]
    public static partial void StatusWriteFailed(ILogger logger, string message);

    [LoggerMessage(28, LogLevel.Information, "{Transition}: {Name} ({Endpoint}) is {Lifecycle}")]
    public static partial void EntryTransition(ILogger logger, string transition, string name, string endpoint, string lifecycle);

    [LoggerMessage(30, LogLevel.Information, "Leader is now {Leader} (this replica: {IsThis})")]
    public static partial void NewLeader(ILogger logger, string leader, bool isThis);

    [LoggerMessage(31, LogLevel.Warning, "Leader election: {Message}")]
    public static partial void LeaderElectionError(ILogger logger, string message);

    [LoggerMessage(32, LogLevel.Warning, "Cycle took {Seconds:F1}s, longer than the poll interval {Interval}; {Missed} tick(s) missed, starting the next now")]
    public static partial void CycleOverran(ILogger logger, double seconds, TimeSpan interval, long missed);

    [LoggerMessage(41, LogLevel.Information, "Watcher cut off: it fell {Buffer} events behind (it can resume with Last-Event-ID)")]
    public static partial void WatcherOverflowed(ILogger logger, int buffer);

    [LoggerMessage(42, LogLevel.Warning, "{Loser} announces {Endpoint}, which belongs to {Owner}; ignored (DuplicateAgent)")]
    public static partial void DuplicateAgent(ILogger logger, string loser, string endpoint, string owner);

    [LoggerMessage(43, LogLevel.Warning, "The API server refused catalog entry {Name} for {Endpoint} ({Status}); the agent's owner gets an Event")]
    public static partial void WriteRefused(ILogger logger, string name, string endpoint, int status);

    [LoggerMessage(44, LogLevel.Warning, "Catalog API: the API server is unreachable for a token or access review: {Message}")]
    public static partial void ReviewUnavailable(ILogger logger, string message);

    [LoggerMessage(46, LogLevel.Information, "Entry {Name} moves from {From} to {To}: its agent's identity changed form; the name is kept")]
    public static partial void EntryMigrated(ILogger logger, string name, string from, string to);

    [LoggerMessage(47, LogLevel.Error, "AgentType API: cannot read {Namespace}/{Name}, so requests forwarded by the aggregation layer are refused: {Message}")]
    public static partial void RequestHeaderConfigUnavailable(ILogger logger, string @namespace, string name, string message);

    [LoggerMessage(48, LogLevel.Warning, "AgentType API: no --apiserver-cert-file given; serving on {Address} with a self-signed certificate (the APIService needs insecureSkipTLSVerify, or give it a certificate)")]
    public static partial void SelfSignedServingCertificate(ILogger logger, string address);

    [LoggerMessage(50, LogLevel.Warning, "AgentType API: cannot reload the serving certificate, keeping the current one: {Message}")]
    public static partial void ServingCertificateReloadFailed(ILogger logger, string message);

    [LoggerMessage(51, LogLevel.Warning, "Trust roots cannot be read, the last good keys stay in use: {Problem}")]
    public static partial void TrustRootsInvalid(ILogger logger, string problem);

    [LoggerMessage(52, LogLevel.Information, "Cycle phases: {Phases} (API requests: {Requests})")]
    public static partial void CyclePhasesAndRequests(ILogger logger, string phases, string requests);

    [LoggerMessage(54, LogLevel.Information, "Events: {Count} Service change(s) reconciled at once ({Agents} agents): {Writes} writes")]
    public static partial void TargetedReconcile(ILogger logger, int count, int agents, int writes);

    [LoggerMessage(55, LogLevel.Information, "Events: a burst of {Count} Service changes; the next full cycle starts now instead")]
    public static partial void EventBurst(ILogger logger, int count);

    [LoggerMessage(56, LogLevel.Information, "AgentType API: refused {Method} {Path}: {Reason} ({Suppressed} more refusals since the last line)")]
    public static partial void AgentTypeRequestsRefused(ILogger logger, string method, string path, string reason, long suppressed);

    [LoggerMessage(57, LogLevel.Warning, "Read APIs: more new bearer tokens than --api-token-reviews-per-second; answered 429 ({Suppressed} more since the last line)")]
    public static partial void TokenReviewsThrottled(ILogger logger, long suppressed);

    [LoggerMessage(58, LogLevel.Information, "Read APIs: refused a watch with 429: {Reason} ({Suppressed} more since the last line)")]
    public static partial void WatchRefused(ILogger logger, string reason, long suppressed);

    [LoggerMessage(59, LogLevel.Error, "Catalog cache: the {Loop} evaluation failed ({Error}); it is retried in {Seconds}s")]
    public static partial void CatalogLoopFailed(ILogger logger, string loop, string error, double seconds);

    [LoggerMessage(60, LogLevel.Warning, "Watching {Resource} in {Scope}: {Message}; trying again in {Seconds}s, {Next}")]
    public static partial void ListWatchFailed(ILogger logger, string resource, string scope, string message, double seconds, string next);

    [LoggerMessage(61, LogLevel.Information, "Watching {Resource} in {Scope}: {Message}; listing again, and telling only what changed")]
    public static partial void ListWatchExpired(ILogger logger, string resource, string scope, string message);

    [LoggerMessage(62, LogLevel.Error, "Watching {Resource}: the consumer failed on {Key} ({Error}: {Message}); the watch goes on")]
    public static partial void ListWatchConsumerFailed(ILogger logger, string resource, string key, string error, string message);

    [LoggerMessage(63, LogLevel.Information, "Registry: the catalog feed cut the registry view off (it fell behind); it reads a fresh snapshot")]
    public static partial void RegistryViewResync(ILogger logger);

    [LoggerMessage(64, LogLevel.Error, "Registry: the registry view failed ({Message}); it subscribes again")]
    public static partial void RegistryViewFailed(ILogger logger, string message);

    [LoggerMessage(65, LogLevel.Warning, "Registry: listing the public namespaces ({Selector}) failed, the last list is kept and tried again in {Seconds}s: {Message}")]
    public static partial void PublicNamespacesFailed(ILogger logger, string selector, double seconds, string message);

    [LoggerMessage(66, LogLevel.Warning, "Registry: serving plain HTTP on {Address}; IDEs refuse http:// registries outside localhost (give --registry-cert-file and --registry-key-file)")]
    public static partial void RegistryPlainHttp(ILogger logger, string address);

    [LoggerMessage(67, LogLevel.Information, "Search index: rebuilt from the catalog's snapshot at version {Version}: {Count} entries ({Reason})")]
    public static partial void SearchIndexRebuilt(ILogger logger, long version, int count, string reason);

    [LoggerMessage(68, LogLevel.Error, "Search index: following the catalog failed ({Error}: {Message}); rebuilding from a fresh snapshot in {Seconds}s, searches answer from the index as it was")]
    public static partial void SearchIndexFailed(ILogger logger, string error, string message, double seconds);

    [LoggerMessage(69, LogLevel.Debug, "MCP freshness: {Count} entries introspected again ({Skipped} left to the next cycle), {Writes} writes")]
    public static partial void McpRefreshed(ILogger logger, int count, int skipped, int writes);

    [LoggerMessage(70, LogLevel.Warning, "MCP freshness: refreshing {Count} entries failed ({Error}); the next cycle covers them")]
    public static partial void McpRefreshFailed(ILogger logger, int count, string error, Exception exception);

    [LoggerMessage(71, LogLevel.Information, "MCP subscription to {Url} ended ({Reason}); opening it again in {Seconds}s")]
    public static partial void McpSubscriptionEnded(ILogger logger, string url, string reason, double seconds);

    [LoggerMessage(72, LogLevel.Information, "MCP subscriptions: {Count} servers announce list_changed, more than --mcp-max-subscriptions ({Max}); the rest are refreshed by TTL and cycle")]
    public static partial void McpSubscriptionsCapped(ILogger logger, int count, int max);

    [LoggerMessage(73, LogLevel.Information, "Cluster identity: {Name} (from {Source})")]
    public static partial void ClusterIdentityResolved(ILogger logger, string name, string source);

    [LoggerMessage(74, LogLevel.Warning, "Cluster identity: the ClusterProperty cluster.clusterset.k8s.io is not used ({Problem}); --cluster-name applies")]
    public static partial void ClusterPropertyUnusable(ILogger logger, string problem);

    [LoggerMessage(75, LogLevel.Information, "Federation: this replica is a hub; members are read from namespace {Namespace}, and its entries are marked agentlens.io/federated-by={Mark}")]
    public static partial void FederationStarted(ILogger logger, string @namespace, string mark);

    [LoggerMessage(76, LogLevel.Information, "Federation: following member cluster {Cluster} (named by {From})")]
    public static partial void MemberStarted(ILogger logger, string cluster, string from);

    [LoggerMessage(77, LogLevel.Information, "Federation: member cluster {Cluster} left the inventory; its entries are kept, marked ClusterReachable=False, for {Retention}")]
    public static partial void MemberRemoved(ILogger logger, string cluster, string retention);

    [LoggerMessage(78, LogLevel.Information, "Federation: the entries of member cluster {Cluster} are removed (gone from the inventory longer than {Retention})")]
    public static partial void MemberForgotten(ILogger logger, string cluster, string retention);

    [LoggerMessage(79, LogLevel.Warning, "Federation: {From} is not used as a member: {Problem}")]
    public static partial void MemberRefused(ILogger logger, string from, string problem);

    [LoggerMessage(80, LogLevel.Warning, "Federation: member cluster {Cluster} reachable={Reachable} ({Reason}: {Message}); its entries say so")]
    public static partial void MemberReachability(ILogger logger, string cluster, bool reachable, string reason, string message);

    [LoggerMessage(81, LogLevel.Warning, "Federation: member cluster {Cluster} sent an entry the hub does not take ({Reason}); further ones are only counted (agentlens_federation_entries_skipped)")]
    public static partial void MemberEntrySkipped(ILogger logger, string cluster, string reason);
}
