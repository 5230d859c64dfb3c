using System.Net;

namespace AgentLens.Operator.Domain;

/// <summary>
/// A listener's address option as kubebuilder spells it: <c>[host]:port</c>, or <c>0</c> for no listener at
/// all. The one place that knows the sentinel and the syntax; options validate with <see cref="Pattern"/>.
/// </summary>
internal static class ListenAddress
{
    public const string Off = "0";

    /// <summary>[host]:port, the host empty (every address), localhost, IPv4 or a bracketed IPv6.</summary>
    public const string RequiredPattern = @"^(\[[0-9a-fA-F:.]+\]|[0-9.]*|localhost)?:\d{1,5}$";

    /// <summary><see cref="RequiredPattern"/> or <see cref="Off"/>.</summary>
    public const string Pattern = @"^(0|(\[[0-9a-fA-F:.]+\]|[0-9.]*|localhost)?:\d{1,5})$";

    public static bool IsOff(string address) => address == Off;

    /// <summary>The endpoint to listen on; false for <see cref="Off"/> or an address that does not parse.</summary>
    public static bool TryParse(string address, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        var colon = address.LastIndexOf(':');
        if (IsOff(address) || colon < 0)
        {
            return false;
        }

        var host = address[..colon].Trim('[', ']');
        if (!int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        IPAddress? ip = host switch
        {
            "" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        endpoint = ip is null ? null : new IPEndPoint(ip, port);
        return endpoint is not null;
    }
}
