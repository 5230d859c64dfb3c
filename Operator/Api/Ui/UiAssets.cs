using System.Collections.Frozen;
using System.Security.Cryptography;

namespace AgentLens.Operator.Api.Ui;

/// <summary>
/// The page's files, embedded in the assembly (<c>Api/Ui/assets</c>, logical names <c>ui/…</c>) and read once
/// at start-up: each with its content type and a strong ETag over its bytes.
/// </summary>
internal sealed class UiAssets
{
    private const string Prefix = "ui/";

    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, UiAsset> files;

    private UiAssets(FrozenDictionary<string, UiAsset> files) => this.files = files;

    public int Count => files.Count;

    public static UiAssets Load()
    {
        var assembly = typeof(UiAssets).Assembly;
        var files = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var path = name[Prefix.Length..];
            var type = Types.GetValueOrDefault(Path.GetExtension(path)) ?? throw new InvalidOperationException($"the page's file {path} has no known content type");
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            files[path] = new UiAsset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }

        return files.ContainsKey("index.html") ? new(files.ToFrozenDictionary(StringComparer.Ordinal))
            : throw new InvalidOperationException("the catalog page is not embedded in the assembly (Api/Ui/assets/index.html)");
    }

    public UiAsset? Get(string path) => files.GetValueOrDefault(path.Length == 0 ? "index.html" : path);
}

internal sealed record UiAsset(byte[] Bytes, string ContentType, string ETag);
