namespace AgentLens.Operator.Crawling;

/// <summary>
/// The shortest positive <c>ttlMs</c> over the pages of one introspection. Missing, zero and negative values
/// say nothing usable and are left out; an absurd one is still a number, and the scheduler clamps it.
/// </summary>
internal sealed class McpTtl
{
    public TimeSpan? Shortest { get; private set; }

    public void Saw(TimeSpan? ttl)
    {
        if (ttl is { } t && t > TimeSpan.Zero && (Shortest is null || t < Shortest))
        {
            Shortest = t;
        }
    }
}
