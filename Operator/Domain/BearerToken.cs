namespace AgentLens.Operator.Domain;

/// <summary>
/// A bearer token read from a Secret, held only for the crawl of its agent. It prints as a placeholder, so a
/// record, log line or exception that formats it never carries the token; only <see cref="Reveal"/> does, at
/// the one place an Authorization header is built.
/// </summary>
internal sealed class BearerToken(string value)
{
    public string Reveal() => value;

    public override string ToString() => "(token)";
}
