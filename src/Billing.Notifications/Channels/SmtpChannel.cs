using Billing.Core.Notifications;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Billing.Notifications.Channels;

/// <summary>
/// E-mail through an SMTP server (MailKit). The connection is opened at the first message and kept
/// for the run; after a failure the next message connects afresh. Every message carries
/// <c>Message-ID: &lt;notification-ID@from-domain&gt;</c>: delivery is at least once (a crash between the
/// server's acceptance and the database commit sends it again), and the stable id lets a receiver
/// drop the copy. A message with an attached document is multipart/mixed: the text, then the PDF
/// read from the document store and checked against its recorded SHA-256.
/// </summary>
public sealed class SmtpChannel : INotificationChannel
{
    private readonly SmtpOptions _options;
    private readonly MailboxAddress _from;
    private readonly string _domain;
    private SmtpClient? _client;

    public SmtpChannel(SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Host) || options.From is null || !MailboxAddress.TryParse(options.From, out var from))
        {
            throw new ArgumentException("the SMTP channel needs notifications.smtp.host and a valid notifications.smtp.from", nameof(options));
        }

        _options = options;
        _from = from;
        _domain = MessageHeaders.Domain(options.From);
    }

    public string Name => "smtp";

    public string? AddressProblem(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Email is null)
        {
            return "the account has no e-mail address";
        }

        return MailboxAddress.TryParse(message.Email, out var mailbox) && mailbox.Domain.Length > 0
            ? null
            : $"the account's e-mail address '{message.Email}' is not valid";
    }

    public MimeMessage Compose(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (AddressProblem(message) is { } problem)
        {
            throw new ArgumentException($"notification {message.Id}: {problem}", nameof(message));
        }

        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = message.CreatedAt.ToDateTimeOffset(),
            MessageId = MessageHeaders.MessageId(message.Id, _domain),
        };
        var text = new TextPart("plain") { Text = message.Body };
        if (MessageAttachment.Read(message) is { } pdf)
        {
            mime.Body = new Multipart("mixed")
            {
                text,
                new MimePart("application", "pdf")
                {
                    Content = new MimeContent(new MemoryStream(pdf)),
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    FileName = message.AttachmentName,
                },
            };
        }
        else
        {
            mime.Body = text;
        }

        mime.From.Add(_from);
        mime.To.Add(MailboxAddress.Parse(message.Email!));
        mime.Headers.Add("Content-Language", message.Language);
        mime.Headers.Add("X-Billing-Account", message.AccountId);
        mime.Headers.Add("X-Billing-Kind", message.Kind);
        return mime;
    }

    public void Send(OutboxMessage message)
    {
        var mime = Compose(message);
        try
        {
            Connected().Send(mime);
        }
        catch
        {
            // The session may be in any state: start the next message on a new connection.
            Drop();
            throw;
        }
    }

    private SmtpClient Connected()
    {
        if (_client is { IsConnected: true })
        {
            return _client;
        }

        Drop();
        var client = new SmtpClient { Timeout = checked(_options.TimeoutSeconds * 1000) };
        try
        {
            client.Connect(_options.Host!, _options.Port, _options.Security switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            });
            if (!string.IsNullOrEmpty(_options.Username))
            {
                client.Authenticate(_options.Username, _options.EffectivePassword() ?? "");
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return _client = client;
    }

    private void Drop()
    {
        if (_client is null)
        {
            return;
        }

        try
        {
            if (_client.IsConnected)
            {
                _client.Disconnect(quit: true);
            }
        }
        catch (Exception e) when (e is IOException or MailKit.ProtocolException or MailKit.CommandException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Closing a broken session: nothing more to do.
        }
        finally
        {
            _client.Dispose();
            _client = null;
        }
    }

    public void Dispose() => Drop();
}
