using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AgentLens.Operator.Api.Registry;

/// <summary>The registry's wire forms: <c>ServerResponse</c> (rendered once per change), <c>ServerList</c> and <c>{"error"}</c>.</summary>
internal static class RegistryJson
{
    public const string ServerSchema = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
    public const string OfficialKey = "io.modelcontextprotocol.registry/official";
    public const string OwnKey = "io.agentlens/catalog";

    public static ReadOnlyMemory<byte> Render(RegistryServer s) => Bytes(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("server");
        w.WriteString("$schema", ServerSchema);
        w.WriteString("name", s.Name);
        w.WriteString("title", s.Title);
        w.WriteString("description", s.Description);
        w.WriteString("version", s.Version);
        if (s.WebsiteUrl is not null)
        {
            w.WriteString("websiteUrl", s.WebsiteUrl);
        }

        if (s.Icons.Length > 0)
        {
            w.WriteStartArray("icons");
            foreach (var icon in s.Icons)
            {
                w.WriteStartObject();
                w.WriteString("src", icon.Src);
                if (icon.MimeType is not null)
                {
                    w.WriteString("mimeType", icon.MimeType);
                }

                if (icon.Theme is not null)
                {
                    w.WriteString("theme", icon.Theme);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (s.RepositoryUrl is not null && s.RepositorySource is not null)
        {
            w.WriteStartObject("repository");
            w.WriteString("url", s.RepositoryUrl);
            w.WriteString("source", s.RepositorySource);
            w.WriteEndObject();
        }

        w.WriteStartArray("remotes");
        w.WriteStartObject();
        w.WriteString("type", s.RemoteType);
        w.WriteString("url", s.RemoteUrl);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("_meta");
        // The schema forbids anything else in the official block.
        w.WriteStartObject(OfficialKey);
        w.WriteString("status", s.Status switch
        {
            RegistryStatus.Deprecated => "deprecated",
            RegistryStatus.Deleted => "deleted",
            _ => "active",
        });
        w.WriteString("publishedAt", Time(s.PublishedAt));
        w.WriteString("updatedAt", Time(s.UpdatedAt));
        w.WriteBoolean("isLatest", true);
        w.WriteEndObject();
        w.WriteStartObject(OwnKey);
        w.WriteString("namespace", s.Namespace);
        w.WriteString("entry", s.EntryName);
        w.WriteString("lifecycle", s.Lifecycle.ToString());
        // Not known is not none: a server that could not be asked has no count.
        if (s.ToolCount is { } tools)
        {
            w.WriteNumber("toolCount", tools);
        }

        // Only in our own _meta block: the server schema has no place for it, and a required header in remotes
        // would make clients ask for a static token instead of running the OAuth flow the server's 401 starts.
        if (s.Authorization is { } access)
        {
            w.WritePropertyName("authorization");
            access.WriteTo(w);
        }
        if (s.Signature is not null)
        {
            w.WriteString("signature", s.Signature);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>A <c>ServerList</c> of <paramref name="servers"/>, with the cursor of the next page when there is one.</summary>
    public static byte[] List(IReadOnlyList<RegistryServer> servers, string? nextCursor)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (servers.Count * 768));
        buffer.Write("{\"servers\":["u8);
        for (var i = 0; i < servers.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(servers[i].Json.Span);
        }

        // The cursor is base64url (see RegistryQuery), so it needs no escaping; it is encoded anyway.
        buffer.Write("],\"metadata\":{"u8);
        if (nextCursor is not null)
        {
            buffer.Write("\"nextCursor\":\""u8);
            buffer.Write(JsonEncodedText.Encode(nextCursor).EncodedUtf8Bytes);
            buffer.Write("\","u8);
        }

        buffer.Write("\"count\":"u8);
        buffer.Write(System.Text.Encoding.ASCII.GetBytes(servers.Count.ToString(CultureInfo.InvariantCulture)));
        buffer.Write("}}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(string message) => Bytes(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    }).ToArray();

    /// <summary>RFC 3339 in UTC with the full fraction, so that a client's <c>updated_since</c> is exact.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Media types and URLs carry '+' and '&amp;', which the default encoder writes as <c>\u002B</c>: valid, but not what
    /// a reader expects to read or grep. Registry documents are served as JSON only, never inside HTML.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static ReadOnlyMemory<byte> Bytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(w);
        }

        return buffer.WrittenMemory.ToArray();
    }
}
