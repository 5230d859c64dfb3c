namespace AgentLens.Operator.Api;

/// <summary>
/// How the watch slots are shared, as fractions of the global cap (rounded up, at least one): what one
/// user may hold, what the watchers of one namespace may hold together, and the reserve that only
/// cluster-wide readers may use.
/// </summary>
internal sealed record WatchShares(int Max, double PerUser, double PerNamespace, double Reserve)
{
    public int UserCap => Share(PerUser);

    public int NamespaceCap => Share(PerNamespace);

    /// <summary>Slots namespaced readers may fill together; the rest is kept for cluster-wide readers.</summary>
    public int NamespacedCap => Math.Max(1, Max - (Reserve > 0 ? Share(Reserve) : 0));

    private int Share(double fraction) => Math.Clamp((int)Math.Ceiling(Max * fraction), 1, Max);
}

/// <summary>A watch let in, or why not.</summary>
internal readonly record struct Admission(IDisposable? Lease, string? Refusal, int RetryAfterSeconds);

/// <summary>
/// The one admission for both watch kinds (SSE and the AgentType watch), so one tenant cannot fill the
/// global cap and leave everybody else refused — the way API Priority and Fairness gives each flow a share.
/// A watch holds a slot of the global cap, of its user's share and of each namespace it reads (a cluster-wide
/// reader holds none of the latter, but may use the reserve). The lease is disposed when the stream ends,
/// and the stream ends as soon as the client disconnects.
/// </summary>
internal sealed class WatchAdmission(WatchShares shares)
{
    /// <summary>
    /// Watch slots free up as clients leave, not on a schedule: one second is the Retry-After kube-apiserver's
    /// priority and fairness sends too.
    /// </summary>
    public const int RetryAfterSeconds = 1;

    private readonly Lock gate = new();
    private readonly Dictionary<string, int> byUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> byNamespace = new(StringComparer.Ordinal);
    private int open;
    private int namespaced;

    public int Open => Volatile.Read(ref open);

    public WatchShares Shares => shares;

    /// <summary>
    /// Takes a slot for <paramref name="user"/> (null: callers are not told apart, as with <c>--api-auth none</c>)
    /// reading <paramref name="namespaces"/> (null: cluster-wide).
    /// </summary>
    public Admission TryEnter(string? user, IReadOnlyCollection<string>? namespaces)
    {
        lock (gate)
        {
            if (open >= shares.Max)
            {
                return Refused($"the watcher limit ({shares.Max}) is reached");
            }

            if (namespaces is not null && namespaced >= shares.NamespacedCap)
            {
                return Refused($"the watchers of single namespaces hold their limit ({shares.NamespacedCap} of {shares.Max}; the rest is kept for cluster-wide readers)");
            }

            if (user is not null && Count(byUser, user) >= shares.UserCap)
            {
                return Refused($"{user} holds its share of watchers ({shares.UserCap})");
            }

            if (namespaces?.FirstOrDefault(ns => Count(byNamespace, ns) >= shares.NamespaceCap) is { } full)
            {
                return Refused($"namespace {full} holds its share of watchers ({shares.NamespaceCap})");
            }

            open++;
            if (user is not null)
            {
                byUser[user] = Count(byUser, user) + 1;
            }

            if (namespaces is not null)
            {
                namespaced++;
                foreach (var ns in namespaces)
                {
                    byNamespace[ns] = Count(byNamespace, ns) + 1;
                }
            }

            return new Admission(new Lease(this, user, [.. namespaces ?? []], namespaces is not null), null, 0);
        }
    }

    private static Admission Refused(string why) => new(null, $"{why}; retry later", RetryAfterSeconds);

    private static int Count(Dictionary<string, int> counts, string key) => counts.GetValueOrDefault(key);

    private static void Decrement(Dictionary<string, int> counts, string key)
    {
        if (counts.TryGetValue(key, out var n) && n > 1)
        {
            counts[key] = n - 1;
        }
        else
        {
            // Gone at zero: the maps hold only users and namespaces that watch now.
            counts.Remove(key);
        }
    }

    private void Exit(string? user, string[] namespaces, bool isNamespaced)
    {
        lock (gate)
        {
            open--;
            if (user is not null)
            {
                Decrement(byUser, user);
            }

            if (isNamespaced)
            {
                namespaced--;
                foreach (var ns in namespaces)
                {
                    Decrement(byNamespace, ns);
                }
            }
        }
    }

    private sealed class Lease(WatchAdmission owner, string? user, string[] namespaces, bool isNamespaced) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Exit(user, namespaces, isNamespaced);
            }
        }
    }
}
