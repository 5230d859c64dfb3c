using System.Text;
using System.Text.Json.Nodes;
using AgentLens.Operator.Catalog;
using AgentLens.Operator.Domain;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Catalog;

/// <summary>
/// Everything the operator reads from ConfigMaps and Leases, mutated at random: real entries (push and
/// operator-written) with fields deleted, duplicated, nulled, retyped, set to huge or negative numbers, bad
/// dates, deep nesting, truncated, with random characters and unicode; Leases with random times and
/// durations. Nothing may escape <see cref="ConfigMapCatalogStore.Read"/> or the liveness evaluation, and
/// no refusal may quote what it refused. The seed is printed; AGENTLENS_FUZZ_SEED overrides it.
/// </summary>
[TestFixture]
public sealed class CatalogFuzzTests
{
    private const string Marker = "ZQXJ";
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private static int Seed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AGENTLENS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20251201;
        TestContext.Out.WriteLine($"fuzz seed {seed} (set AGENTLENS_FUZZ_SEED to replay another)");
        return seed;
    }

    private static readonly string[] Valid =
    [
        PushEntries.Build("p").Data["agenttype.json"],
        CatalogJson.SerializeToString(new AgentType
        {
            Metadata = new AgentMetadata { Name = "weather-a2a-1234", Namespace = "catalog" },
            Spec = new AgentSpec
            {
                Protocol = Protocol.A2a,
                Endpoint = "http://weather.team-a.svc.cluster.local:8080",
                CardUrl = "http://weather.team-a.svc.cluster.local:8080/.well-known/agent-card.json",
                Source = new SourceRef { Type = SourceType.Kubernetes, Namespace = "team-a", Name = "weather" },
                Team = "forecasting",
                Tags = ["wx", "天気"],
            },
            Status = new AgentStatus
            {
                Lifecycle = Lifecycle.Offline,
                DisplayName = "Weather",
                Version = "1.2.0",
                Provider = new Provider("Org", "https://org.example"),
                Capabilities = [new Capability { Kind = CapabilityKinds.A2aSkill, Name = "forecast", Tags = ["a"], Properties = ImmutableSortedDictionary<string, string>.Empty.Add("inputModes", "text"), Digest = "sha256:1" }],
                Conditions = [new Condition { Type = ConditionTypes.CardFetched, Status = ConditionStatus.False, Reason = "Timeout", Message = "m", LastTransitionTime = T0 }],
                ConsecutiveFailures = 3,
                LastError = "timeout",
                CardDigest = "sha256:2",
                OfflineSince = T0,
            },
        }),
    ];

    [Test]
    public void RandomlyMutatedEntries_NeverEscapeRead_AndRefusalsNeverQuoteThem()
    {
        var random = new Random(Seed());
        var served = 0;
        for (var i = 0; i < 4000; i++)
        {
            var json = Mutate(random, Valid[random.Next(Valid.Length)]);
            var configMap = ConfigMap(random, json);
            StoredEntry read;
            try
            {
                read = ConfigMapCatalogStore.Read(configMap);
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name} escaped Read: {e.Message}\n{json}");
                return;
            }

            Assert.That(read.Problem ?? string.Empty, Does.Not.Contain(Marker), $"case {i}: {json}");
            if (read.Entry is { } entry)
            {
                served++;

                // What is served must be usable: serialized, labelled, derived by a Lease.
                Assert.DoesNotThrow(() => CatalogJson.Serialize(entry), $"case {i}: {json}");
                Assert.DoesNotThrow(() => CatalogNames.Labels(entry), $"case {i}: {json}");
                var liveness = (Liveness)random.Next(4);
                Assert.DoesNotThrow(() => LeaseLiveness.Apply(read, "l", liveness, liveness == Liveness.Live ? null : RandomTime(random), new LeaseState(T0, 3, T0), T0, TimeSpan.FromHours(1)),
                    $"case {i}: {json}");
            }
        }

        TestContext.Out.WriteLine($"{served} of 4000 mutated entries were still servable");
        Assert.That(served, Is.GreaterThan(200), "the mutations leave enough entries servable to exercise what uses them");
    }

    [Test]
    public void RandomLeases_NeverEscapeTheLivenessEvaluation()
    {
        var random = new Random(Seed());
        var entry = ConfigMapCatalogStore.Read(WithLease(PushEntries.Build("agent"), "l"));
        for (var i = 0; i < 4000; i++)
        {
            var lease = RandomLease(random, "l");
            var now = random.Next(8) == 0 ? RandomTime(random) : T0.AddSeconds(random.Next(-100_000, 100_000));
            var retention = random.Next(4) switch { 0 => TimeSpan.Zero, 1 => TimeSpan.MaxValue, 2 => TimeSpan.FromTicks(random.NextInt64()), _ => TimeSpan.FromHours(1) };
            try
            {
                var state = AgentLeases.State(lease, now);
                var missing = random.Next(5) == 0;
                var (liveness, since) = LeaseLiveness.Of(missing ? null : state, now, RandomTime(random));
                LeaseLiveness.NextChange(missing ? null : state, liveness, since, retention);
                LeaseLiveness.Apply(entry, "l", liveness, since, state, now, retention);
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}; renew {lease.Spec.RenewTime:o}, duration {lease.Spec.LeaseDurationSeconds}, acquire {lease.Spec.AcquireTime:o}, now {now:o}");
            }
        }
    }

    [Test]
    public void TheCache_UnderRandomEntriesLeasesAndTime_NeverThrows_AndShowsWhatReadsBack()
    {
        var random = new Random(Seed());
        using var bed = new CacheBed(T0);
        bed.ListLeases([]);
        bed.Cache.FollowLeases();
        for (var step = 0; step < 3000; step++)
        {
            var name = $"l{random.Next(5)}";
            try
            {
                switch (random.Next(6))
                {
                    case 0:
                        var json = random.Next(3) == 0 ? Mutate(random, Valid[0]) : Valid[0];
                        var configMap = ConfigMap(random, json);
                        configMap.Metadata.Name = $"e{random.Next(8)}";
                        bed.Cache.Apply(ConfigMapCatalogStore.Read(WithLease(configMap, name)));
                        break;
                    case 1:
                        bed.WatchLease(random.Next(5) == 0 ? WatchEventKind.Deleted : WatchEventKind.Modified, RandomLease(random, name));
                        break;
                    case 2:
                        bed.Cache.Remove($"e{random.Next(8)}");
                        break;
                    default:
                        bed.Clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 5_000)));
                        bed.Cache.Tick();
                        break;
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"step {step}: {e.GetType().Name}: {e.Message}");
            }
        }

        foreach (var shown in bed.Feed.Snapshot().Items.Where(i => i.Entry is not null))
        {
            Assert.DoesNotThrow(() => CatalogJson.Deserialize(shown.Json!), shown.Json ?? string.Empty);
        }

        Assert.That(bed.Logs.Lines, Has.None.Contains("evaluation failed"));
    }

    private static V1ConfigMap WithLease(V1ConfigMap configMap, string lease)
    {
        configMap.Metadata.ResourceVersion ??= "1";
        configMap.Metadata.Annotations ??= new Dictionary<string, string>();
        configMap.Metadata.Annotations[Annotations.Lease] = lease;
        return configMap;
    }

    private static V1ConfigMap ConfigMap(Random random, string json)
    {
        var configMap = PushEntries.Build("p");
        configMap.Metadata.ResourceVersion = random.Next(1000).ToString(CultureInfo.InvariantCulture);
        configMap.Data["agenttype.json"] = json;
        if (random.Next(2) == 0)
        {
            configMap.Metadata.Labels["agentlens.io/source"] = random.Next(2) == 0 ? "kubernetes" : null!;
        }

        if (random.Next(4) == 0)
        {
            configMap.Metadata.Annotations = new Dictionary<string, string>
            {
                [Annotations.Lease] = random.Next(2) == 0 ? null! : RandomString(random),
                [Annotations.Endpoint] = random.Next(2) == 0 ? null! : RandomString(random),
            };
        }

        return configMap;
    }

    private static V1Lease RandomLease(Random random, string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, CreationTimestamp = random.Next(4) == 0 ? null : RandomTime(random).UtcDateTime },
        Spec = new V1LeaseSpec
        {
            RenewTime = random.Next(6) == 0 ? null : random.Next(2) == 0 ? RandomTime(random).UtcDateTime : T0.UtcDateTime.AddSeconds(random.Next(-60, 60)),
            AcquireTime = random.Next(4) == 0 ? null : RandomTime(random).UtcDateTime,
            LeaseDurationSeconds = random.Next(7) switch { 0 => null, 1 => int.MaxValue, 2 => int.MinValue, 3 => 0, 4 => -1, _ => random.Next(1, 120) },
        },
    };

    private static DateTimeOffset RandomTime(Random random) => random.Next(5) switch
    {
        0 => DateTimeOffset.MinValue,
        1 => DateTimeOffset.MaxValue,
        2 => new DateTimeOffset(random.NextInt64(DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero),
        _ => T0.AddSeconds(random.Next(-1_000_000, 1_000_000)),
    };

    private static string RandomString(Random random)
    {
        var pool = new[] { Marker, "\uD800", "\uDFFF", "é", "天気", "\u0000", "\"", "\\", "'", "\n", "https://x.example", "9999-12-31T23:59:59Z", "not-a-time", "-", "." };
        var text = new StringBuilder();
        for (var i = random.Next(1, 6); i > 0; i--)
        {
            text.Append(random.Next(3) == 0 ? ((char)random.Next(0x20, 0xFFFF)).ToString() : pool[random.Next(pool.Length)]);
        }

        return text.ToString();
    }

    private static JsonNode? RandomValue(Random random, int depth = 0) => random.Next(depth > 2 ? 9 : 12) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.Next(4) switch { 0 => long.MaxValue, 1 => long.MinValue, 2 => -1L, _ => random.NextInt64() }),
        3 => JsonValue.Create(random.Next(3) switch { 0 => 1e308, 1 => -1e-300, _ => random.NextDouble() * 1e20 }),
        4 => JsonValue.Create(RandomString(random)),
        5 => JsonValue.Create(random.Next(4) switch { 0 => "0001-01-01T00:00:00Z", 1 => "9999-12-31T23:59:59-05:00", 2 => "2026-02-30T00:00:00Z", _ => "9999-12-31T23:59:59Z" }),
        6 => JsonValue.Create(random.Next(4) switch { 0 => "Offline", 1 => "push", 2 => "a2a", _ => "True" }),
        7 => JsonValue.Create(random.Next(-5, 100)),
        8 => JsonValue.Create(string.Empty),
        9 => new JsonArray(RandomValue(random, depth + 1), RandomValue(random, depth + 1)),
        10 => new JsonObject { [random.Next(2) == 0 ? Marker : "name"] = RandomValue(random, depth + 1) },
        _ => Nest(random.Next(1, 40)),
    };

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    private static string Mutate(Random random, string json)
    {
        var root = JsonNode.Parse(json)!;
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var nodes = All(root).ToList();
            var target = nodes[random.Next(nodes.Count)];
            switch (target)
            {
                case JsonObject o when o.Count > 0 && random.Next(3) == 0:
                    o.Remove(o.ElementAt(random.Next(o.Count)).Key);
                    break;
                case JsonObject o when o.Count > 0:
                    var key = o.ElementAt(random.Next(o.Count)).Key;
                    o[key] = RandomValue(random);
                    break;
                case JsonArray a when a.Count > 0 && random.Next(2) == 0:
                    a[random.Next(a.Count)] = RandomValue(random);
                    break;
                case JsonArray a:
                    a.Add(RandomValue(random));
                    break;
                default:
                    if (target.Parent is JsonObject parent)
                    {
                        parent[target.GetPropertyName()] = RandomValue(random);
                    }

                    break;
            }
        }

        var text = root.ToJsonString();
        switch (random.Next(8))
        {
            case 0:
                return text[..random.Next(text.Length)];
            case 1:
                // A duplicated property: the same key twice in one object.
                var at = text.IndexOf("\"status\":{", StringComparison.Ordinal);
                return at < 0 ? text : text.Insert(at + 10, "\"lifecycle\":\"Active\",\"lifecycle\":" + (random.Next(2) == 0 ? "null," : "7,"));
            case 2:
                var chars = text.ToCharArray();
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    chars[random.Next(chars.Length)] = (char)random.Next(0, 0xFFFF);
                }

                return new string(chars);
            case 3:
                return new string('[', random.Next(30, 2000)) + text;
            default:
                return text;
        }
    }

    private static IEnumerable<JsonNode> All(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in All(child))
            {
                yield return descendant;
            }
        }
    }
}
