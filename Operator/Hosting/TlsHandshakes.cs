using System.Net.Security;
using AgentLens.Operator.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AgentLens.Operator.Hosting;

/// <summary>
/// TLS on the AgentType port. A handshake needs no authentication and costs CPU, so each one presents the
/// serving certificate's context built once (<see cref="ServingCertificate.Context"/>), and only a few run
/// at once: a crowd of handshaking clients waits its turn instead of starving the probes of CPU. A client
/// certificate is asked for but not judged here: the front-proxy CA is the cluster's, read by
/// <see cref="FrontProxyAuthentication"/>, not the system trust store.
/// </summary>
internal static class TlsHandshakes
{
    private const string SlotKey = "agentlens.handshake";
    // A connection that waits this long for its turn is closed: the client retries, the queue stays short.
    private static readonly TimeSpan WaitAtMost = TimeSpan.FromSeconds(10);

    public static void UseAgentTypeTls(this ListenOptions listen, ServingCertificate certificate, int maxConcurrent, TimeProvider time)
    {
        var turns = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        // Before TLS: wait for a turn. The turn is given back once the handshake is done (the middleware after
        // UseHttps), or when the connection ends without one.
        listen.Use(next => async connection =>
        {
            using var timeout = new CancellationTokenSource(WaitAtMost, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed);
            try
            {
                await turns.WaitAsync(either.Token);
            }
            catch (OperationCanceledException)
            {
                connection.Abort();
                return;
            }

            using var turn = new Turn(turns);
            connection.Items[SlotKey] = turn;
            await next(connection);
        });
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.Context,
                ClientCertificateRequired = true,
                // Asked for, not judged here: FrontProxyAuthentication checks it against the cluster's front-proxy
                // CA on each request, and a connection without one may still present a bearer token.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            }),
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        });
        listen.Use(next => connection =>
        {
            (connection.Items.TryGetValue(SlotKey, out var turn) ? turn as Turn : null)?.Dispose();
            return next(connection);
        });
    }

    /// <summary>One handshake's turn, given back once.</summary>
    private sealed class Turn(SemaphoreSlim turns) : IDisposable
    {
        private int given;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref given, 1) == 0)
            {
                turns.Release();
            }
        }
    }
}
