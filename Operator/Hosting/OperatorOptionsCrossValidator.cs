using AgentLens.Operator.Crawling;
using Microsoft.Extensions.Options;

namespace AgentLens.Operator.Hosting;

/// <summary>Rules that span several options, which attributes cannot express.</summary>
internal sealed class OperatorOptionsCrossValidator : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        var failures = new List<string>();
        if (options.Crawl.Concurrency > 0 && options.Crawl.PerHostConcurrency > options.Crawl.Concurrency)
        {
            failures.Add("crawl perHostConcurrency must not exceed crawl concurrency");
        }

        if (options.Crawl.Timeout > options.Crawl.MaxTimeout)
        {
            failures.Add("crawl timeout must not exceed crawl maxTimeout");
        }

        if (options.Crawl.AgentBudget > options.Crawl.CycleBudget)
        {
            failures.Add("crawl agentBudget must not exceed crawl cycleBudget");
        }

        foreach (var cidr in options.Crawl.DenyCidrs.Concat(options.Crawl.AllowCidrs).Where(c => !AddressPolicy.TryParseCidr(c, out _)))
        {
            failures.Add($"crawl deny/allow CIDRs: '{cidr}' is not an address or CIDR (e.g. 10.0.0.0/8, fd00::/8)");
        }

        foreach (var entry in options.Trust.JkuAllow)
        {
            if (!JkuAllowEntry.TryParse(entry, out _, out var error))
            {
                failures.Add($"trust jkuAllow: {error}");
            }
        }

        foreach (var dir in options.Crawl.TokenDirectories.Where(d => !Path.IsPathFullyQualified(d)))
        {
            failures.Add($"crawl tokenDirectories: '{dir}' is not an absolute path");
        }

        failures.AddRange(options.ApiServer.Problems());
        failures.AddRange(options.LeaderElection.Problems());
        failures.AddRange(options.Registry.Problems());

        foreach (var ns in options.Namespaces.Where(ns => !System.Text.RegularExpressions.Regex.IsMatch(ns, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")))
        {
            failures.Add($"namespaces: '{ns}' is not a valid namespace name");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
