using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentLens.Operator.Tests.TestBed;

namespace AgentLens.Operator.Tests.Security;

/// <summary>
/// Attack 5: many watchers that connect and never read, on a catalog of about a megabyte. Each still gets
/// its status line (headers go out before the snapshot), and the probes keep answering. The bounds only
/// stop a hung test; timing figures are in `make bench-watch`.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class WatcherFloodTests
{
    private const int Watchers = 200;
    private ControlPlane cp = null!;

    [OneTimeSetUp]
    public async Task StartControlPlane() => cp = await ControlPlane.SharedAsync();

    [Test]
    public async Task NonReadingWatchers_EachGetAStatusLine_AndTheProbesAnswer()
    {
        var ns = await TestNamespaces.CreateAsync(cp.Client, "flood");
        var description = new string('d', 3000);
        foreach (var batch in Enumerable.Range(0, 300).Chunk(25))
        {
            await Task.WhenAll(batch.Select(i =>
            {
                var configMap = PushEntries.Build($"agent-{i:000}", description: description);
                return cp.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns);
            }));
        }

        var probePort = Tools.FreePort();
        await using var op = await OperatorServer.StartAsync(cp, ns, "--api-auth", "none", "--health-probe-bind-address", $"127.0.0.1:{probePort}");
        var sockets = new List<Socket>();
        try
        {
            var statusLines = await Task.WhenAll(Enumerable.Range(0, Watchers).Select(async _ =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                lock (sockets)
                {
                    sockets.Add(socket);
                }

                await socket.ConnectAsync(IPAddress.Loopback, op.Port);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /api/v1/agents/watch HTTP/1.1\r\nHost: 127.0.0.1:{op.Port}\r\nAccept: text/event-stream\r\n\r\n"));
                var buffer = new byte[12];
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var read = 0;
                while (read < buffer.Length)
                {
                    var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, deadline.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                // Then it reads no more: its snapshot backs up in its own socket and Kestrel's bounded buffer.
                return Encoding.ASCII.GetString(buffer, 0, read);
            }));

            Assert.That(statusLines, Has.All.EqualTo("HTTP/1.1 200"));
            var stopwatch = Stopwatch.StartNew();
            using var probe = await op.Http.GetAsync($"http://127.0.0.1:{probePort}/healthz");
            Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the probe is not starved");
            using var list = await op.Http.GetAsync(op.BaseUrl);
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a reading client is served too");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
