using AgentLens.Bench;

// Benchmarks print figures; they assert nothing. `make bench-crawl` and `make bench` run them.
switch (args.FirstOrDefault())
{
    case "crawl":
        await CrawlBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000);
        return 0;
    case "catalog":
        await CatalogBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000, 200, scale: false, Cycles(args));
        return 0;
    case "events":
        await EventsBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000, 200);
        return 0;
    case "scale":
        await CatalogBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000, 500, scale: true, Cycles(args));
        return 0;
    case "watch":
        await WatchBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000,
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2000);
        return 0;
    case "registry":
        await RegistryBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
        return 0;
    case "soak":
        await SoakBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100);
        return 0;
    case "search":
        await SearchBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
        return 0;
    case "federation":
        await FederationBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3,
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2000);
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: AgentLens.Bench crawl [agents] | catalog [services] [--cycles N] | scale [services] [--cycles N] | events [services] | watch [watchers] [entries] | soak [cycles] | registry [entries] | search [entries] | federation [members] [entries]");
        return 2;
}

// `--cycles N` shortens the main run (at least 6, so that cycle 5 and a later one can be compared).
static int? Cycles(string[] args)
{
    var at = Array.IndexOf(args, "--cycles");
    return at >= 0 && at + 1 < args.Length ? Math.Max(6, int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture)) : null;
}
