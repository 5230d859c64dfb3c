using System.Net;
using System.Net.Sockets;

namespace AgentLens.Operator.Crawling;

/// <summary>A connection the crawler refused to open because of where it would go.</summary>
internal sealed class DeniedAddressException : Exception
{
    public DeniedAddressException()
        : this("the address is denied")
    {
    }

    public DeniedAddressException(string message)
        : base(message)
    {
    }

    public DeniedAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Which addresses the crawler may connect to, decided on the <b>resolved</b> address at connect time, so
/// neither a hostname nor DNS rebinding gets around it. In order:
/// <list type="number">
/// <item>an address in <c>denyCidrs</c> is refused;</item>
/// <item>an address in <c>allowCidrs</c> is allowed;</item>
/// <item>an address in the built-in list is refused: loopback (in a pod that is the operator itself — its
/// metrics, probes and catalog API), link-local (169.254.0.0/16, fe80::/10, where cloud metadata lives),
/// the cloud metadata addresses fd00:ec2::254 and 100.100.100.200, unspecified and multicast addresses;</item>
/// <item>anything else (cluster Services, pods, the internet) is allowed.</item>
/// </list>
/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
/// </summary>
internal sealed class AddressPolicy
{
    public static readonly ImmutableArray<string> BuiltInDenied =
    [
        "127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32",
        "0.0.0.0/8", "::/128", "224.0.0.0/4", "ff00::/8", "255.255.255.255/32",
    ];

    private readonly ImmutableArray<IPNetwork> deny;
    private readonly ImmutableArray<IPNetwork> allow;
    private readonly ImmutableArray<IPNetwork> builtIn = [.. BuiltInDenied.Select(IPNetwork.Parse)];

    public AddressPolicy(IEnumerable<string> denyCidrs, IEnumerable<string> allowCidrs)
    {
        deny = [.. denyCidrs.Select(Parse)];
        allow = [.. allowCidrs.Select(Parse)];
    }

    public AddressPolicy(CrawlOptions crawl)
        : this(crawl.DenyCidrs, crawl.AllowCidrs)
    {
    }

    /// <summary>A CIDR, or a single address taken as /32 or /128.</summary>
    public static bool TryParseCidr(string? text, out IPNetwork network)
    {
        network = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (IPAddress.TryParse(text, out var single) && !text.Contains('/', StringComparison.Ordinal))
        {
            network = new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }

    private static IPNetwork Parse(string text) =>
        TryParseCidr(text, out var network) ? network : throw new FormatException($"'{text}' is not an address or CIDR");

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (deny.Any(n => n.Contains(address)))
        {
            return false;
        }

        return allow.Any(n => n.Contains(address)) || !builtIn.Any(n => n.Contains(address));
    }

    /// <summary>
    /// The connect step of the crawler's handler: resolve, drop every denied address, connect to the first
    /// allowed one that answers. When every address is denied the request fails with
    /// <see cref="DeniedAddressException"/> and no packet is sent.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(IsAllowed).ToList();
        if (allowed.Count == 0)
        {
            throw new DeniedAddressException(addresses.Length == 0
                ? $"{host} resolves to no address"
                : $"{host} resolves only to denied addresses ({string.Join(", ", addresses.Take(3))}); see --crawl-deny-cidrs/--crawl-allow-cidrs");
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}
