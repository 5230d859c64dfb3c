using System.Text.Json.Nodes;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>The official A2A JS SDK's card signing (hack/agents/card-signing.mjs), run by node.</summary>
internal static class A2aSdk
{
    private static async Task<string> RunAsync(string request)
    {
        var result = await ProcessRunner.RunAsync("node", [Repo.Path("hack", "agents", "card-signing.mjs")], TimeSpan.FromMinutes(1), standardInput: request);
        return result.ExitCode == 0 ? result.StandardOutput : throw new InvalidOperationException($"card-signing.mjs failed: {result.StandardError}");
    }

    /// <summary>The SDK's canonicalizeAgentCard of each card (given as raw JSON text).</summary>
    public static async Task<string[]> CanonicalizeAsync(IReadOnlyList<string> cards) =>
        JsonNode.Parse(await RunAsync($$"""{"op":"canonicalize","cards":[{{string.Join(",", cards)}}]}"""))!.AsArray().Select(n => (string)n!).ToArray();

    /// <summary>The card signed by fresh keys, one signature per key, and the public keys as a JWKS.</summary>
    public static async Task<(string SignedCard, string Jwks)> SignAsync(string card, params (string Alg, string Kid, string? Jku)[] keys)
    {
        var keyList = string.Join(",", keys.Select(k => $$"""{"alg":"{{k.Alg}}","kid":"{{k.Kid}}"{{(k.Jku is null ? string.Empty : $",\"jku\":\"{k.Jku}\"")}}}"""));
        var answer = JsonNode.Parse(await RunAsync($$"""{"op":"sign","card":{{card}},"keys":[{{keyList}}]}"""))!;
        return (answer["signed"]!.ToJsonString(), answer["jwks"]!.ToJsonString());
    }
}
