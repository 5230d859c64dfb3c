using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>A request as the loopback server read it.</summary>
internal sealed record RawRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A deliberately low-level HTTP/1.1 server on 127.0.0.1 (one request per connection), so tests can be any
/// peer at all: a well-behaved agent, or one that trickles, never ends, lies about lengths or speaks no TLS.
/// Every connection is cut when the server is disposed, so no test outlives its own bounds.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Func<RawRequest, Stream, CancellationToken, Task> handler;
    private readonly Task acceptLoop;
    private int requestCount;

    /// <param name="address">127.0.0.1 unless given: 127.0.0.2 and up stand in for a cluster's internal services.</param>
    public LoopbackServer(Func<RawRequest, Stream, CancellationToken, Task> handler, string address = "127.0.0.1")
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start(512);
        acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;
    public string Address => ((IPEndPoint)listener.LocalEndpoint).Address.ToString();
    public string BaseUrl => $"http://{Address}:{Port}";
    public int RequestCount => Volatile.Read(ref requestCount);
    public List<RawRequest> Requests { get; } = [];

    /// <summary>A server that answers every request with the same JSON.</summary>
    public static LoopbackServer Json(string json, string contentType = "application/json") =>
        new((_, stream, ct) => Respond(stream, 200, json, contentType, ct));

    public static async Task Respond(Stream stream, int status, string body, string contentType = "application/json", CancellationToken ct = default, params (string Name, string Value)[] headers)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        await stream.WriteAsync(bytes, ct);
        await stream.FlushAsync(ct);
    }

    public static async Task RespondHead(Stream stream, string head, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"), ct);
        await stream.FlushAsync(ct);
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, stop.Token);
                if (request is null)
                {
                    return;
                }

                Interlocked.Increment(ref requestCount);
                lock (Requests)
                {
                    Requests.Add(request);
                }

                await handler(request, stream, stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away or the test ended: both are the point of many tests here.
            }
        }
    }

    private static async Task<RawRequest?> ReadRequestAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length < 2)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal)))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = string.Empty;
        if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, out var n) && n > 0)
        {
            var bytes = new byte[n];
            await stream.ReadExactlyAsync(bytes, ct);
            body = Encoding.UTF8.GetString(bytes);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(stream, ct);
        }

        return new RawRequest(parts[0], parts[1], headers, body);
    }

    /// <summary>A chunked request body (HttpClient sends one when it streams content of unknown length).</summary>
    private static async Task<string> ReadChunkedAsync(Stream stream, CancellationToken ct)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, ct);
            var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                await ReadLineAsync(stream, ct);
                return Encoding.UTF8.GetString(body.ToArray());
            }

            var chunk = new byte[size];
            await stream.ReadExactlyAsync(chunk, ct);
            body.Write(chunk);
            await ReadLineAsync(stream, ct);
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, ct) > 0 && one[0] != '\n')
        {
            line.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop;
        stop.Dispose();
    }
}
