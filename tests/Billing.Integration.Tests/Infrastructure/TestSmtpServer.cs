using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>One message as the test SMTP server received it: the envelope recipients and the parsed message.</summary>
public sealed record ReceivedMail(IReadOnlyList<string> Recipients, MimeMessage Message);

/// <summary>A real SMTP server (the SmtpServer package) on 127.0.0.1 that keeps every message it accepts.</summary>
public sealed class TestSmtpServer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly ConcurrentQueue<ReceivedMail> _received = new();

    /// <param name="login">when given, the server accepts mail only after a login with this user name and password.</param>
    public TestSmtpServer(int port, (string User, string Password)? login = null)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port))
                .AuthenticationRequired(login is not null)
                .AllowUnsecureAuthentication(login is not null))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_received));
        if (login is { } l)
        {
            services.Add(new SmtpServer.Authentication.DelegatingUserAuthenticator((user, password) => user == l.User && password == l.Password));
        }

        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
        Wait.Until(Listening, $"the test SMTP server on port {port}");
    }

    public int Port { get; }

    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    /// <summary>A port nothing listens on now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private bool Listening()
    {
        if (_running.IsFaulted)
        {
            throw new InvalidOperationException("the test SMTP server did not start", _running.Exception);
        }

        try
        {
            using var probe = new TcpClient();
            probe.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _running.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
        }

        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<ReceivedMail> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            received.Enqueue(new ReceivedMail([.. transaction.To.Select(m => $"{m.User}@{m.Host}")], message));
            return SmtpResponse.Ok;
        }
    }
}
