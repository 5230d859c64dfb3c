namespace AgentLens.Operator.Domain;

/// <summary>
/// Kubernetes label selectors: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>,
/// <c>k</c>, <c>!k</c>, comma-separated; every requirement must hold.
/// </summary>
internal static class LabelSelector
{
    /// <summary>Whether <paramref name="labels"/> match <paramref name="text"/>; a selector that cannot be read matches nothing.</summary>
    public static bool Matches(string? text, IReadOnlyDictionary<string, string> labels)
    {
        var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        return string.IsNullOrWhiteSpace(text) || (TryParse(text, requirements, out _) && requirements.All(r => r(labels)));
    }

    public static bool TryParse(string text, List<Func<IReadOnlyDictionary<string, string>, bool>> selector, [NotNullWhen(false)] out string? error)
    {
        foreach (var raw in SplitTopLevel(text))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && words[1] is "in" or "notin")
            {
                var key = words[0];
                var set = part[(part.IndexOf('(', StringComparison.Ordinal) + 1)..].TrimEnd(')').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                if (!part.Contains('(', StringComparison.Ordinal) || !part.EndsWith(')'))
                {
                    error = $"labelSelector: '{part}' needs a list in parentheses";
                    return false;
                }

                var negate = words[1] == "notin";
                selector.Add(labels => labels.TryGetValue(key, out var v) ? set.Contains(v) != negate : negate);
            }
            else if (part.Contains("!=", StringComparison.Ordinal))
            {
                var (key, value) = Split(part, "!=");
                selector.Add(labels => !labels.TryGetValue(key, out var v) || v != value);
            }
            else if (part.Contains('=', StringComparison.Ordinal))
            {
                var (key, value) = Split(part, part.Contains("==", StringComparison.Ordinal) ? "==" : "=");
                selector.Add(labels => labels.TryGetValue(key, out var v) && v == value);
            }
            else if (part.StartsWith('!'))
            {
                var key = part[1..].Trim();
                selector.Add(labels => !labels.ContainsKey(key));
            }
            else if (words.Length == 1)
            {
                selector.Add(labels => labels.ContainsKey(part));
            }
            else
            {
                error = $"labelSelector: cannot read '{part}'";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>A requirement's key and value around its operator.</summary>
    public static (string Key, string Value) Split(string part, string op)
    {
        var at = part.IndexOf(op, StringComparison.Ordinal);
        return (part[..at].Trim(), part[(at + op.Length)..].Trim());
    }

    /// <summary>Splits on commas outside parentheses.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}
