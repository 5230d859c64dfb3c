namespace AgentLens.Operator.Domain;

/// <summary>
/// The one definition of a normalized endpoint, the identity of a catalog entry: lower-case scheme and
/// host, default port dropped, no trailing slash, no query or fragment, no user info. Only http and https.
/// </summary>
internal static class AgentEndpoint
{
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "the URL is empty";
            return false;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri))
        {
            error = $"'{value}' is not an absolute URL";
            return false;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            error = $"'{value}' has scheme '{uri.Scheme}'; only http and https are allowed";
            return false;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            error = $"'{value}' carries credentials in the URL; use headers or bearerTokenFile instead";
            return false;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        if (uri.HostNameType == UriHostNameType.IPv6)
        {
            host = $"[{uri.DnsSafeHost.ToLowerInvariant()}]";
        }

        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        var path = uri.AbsolutePath.TrimEnd('/');
        normalized = $"{uri.Scheme}://{host}{port}{path}";
        error = null;
        return true;
    }

    public static string Normalize(string value) =>
        TryNormalize(value, out var normalized, out var error) ? normalized : throw new FormatException(error);

    /// <summary>The scheme, host and port of a normalized endpoint, without any path.</summary>
    public static string Origin(string normalizedEndpoint)
    {
        var uri = new Uri(normalizedEndpoint);
        return Normalize(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>Joins a path onto the origin of an endpoint; the path is taken as absolute.</summary>
    public static string Resolve(string normalizedEndpoint, string path) =>
        Origin(normalizedEndpoint) + "/" + path.TrimStart('/');
}
