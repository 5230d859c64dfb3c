namespace AgentLens.Operator.Domain;

/// <summary>A bearer token file that may not be used; the message says why without quoting the file.</summary>
internal sealed class TokenFileException : Exception
{
    public TokenFileException()
    {
    }

    public TokenFileException(string message)
        : base(message)
    {
    }

    public TokenFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reads a static source's bearer token: only a regular file under an allowed directory (after resolving
/// symbolic links, so a Secret volume's <c>..data</c> links work and a link to elsewhere does not), and
/// through a bounded read whatever size the file reports — <c>/dev/zero</c> or <c>/proc</c> files report 0.
/// </summary>
internal static class TokenFile
{
    /// <summary>Where token files may be, unless configured: the chart mounts Secrets there.</summary>
    public static readonly ImmutableArray<string> DefaultDirectories = ["/var/run/secrets/agentlens/", "/etc/agentlens/"];

    /// <summary>Whether <paramref name="path"/> lies under one of <paramref name="directories"/> (lexically).</summary>
    public static bool IsUnder(string path, IReadOnlyList<string> directories)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return false;
        }

        var full = Path.GetFullPath(path);
        return directories.Any(d => full.StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    public static async Task<string> ReadAsync(string path, IReadOnlyList<string> directories, int maxBytes, CancellationToken cancellationToken)
    {
        if (!IsUnder(path, directories))
        {
            throw new TokenFileException($"{path} is not under an allowed directory ({string.Join(", ", directories)})");
        }

        var info = new FileInfo(path);
        var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        if (target is null || !target.Exists || !IsUnder(target.FullName, directories))
        {
            throw new TokenFileException($"{path} does not exist or leads outside the allowed directories");
        }

        var buffer = new byte[maxBytes + 1];
        int total;
        try
        {
            await using var stream = new FileStream(target.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.Asynchronous);
            total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }
        }
        catch (IOException e)
        {
            throw new TokenFileException($"cannot read {path}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TokenFileException($"cannot read {path}: {e.Message}", e);
        }

        if (total > maxBytes)
        {
            throw new TokenFileException($"{path} is larger than {maxBytes} bytes");
        }

        // A regular file yields exactly the size it reports; devices and /proc files report 0 and yield more.
        if (total != target.Length)
        {
            throw new TokenFileException($"{path} is not a regular file");
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total).Trim();
    }
}
