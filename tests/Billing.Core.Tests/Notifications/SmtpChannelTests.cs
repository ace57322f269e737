using Billing.Core.Notifications;
using Billing.Notifications;
using Billing.Notifications.Channels;
using MimeKit;
using NodaTime;

namespace Billing.Core.Tests.Notifications;

public sealed class SmtpChannelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "billing-letters-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static SmtpChannel Channel() => new(new SmtpOptions { Host = "127.0.0.1", From = "Billing <billing@example.com>" });

    private static OutboxMessage Message() => new()
    {
        Id = 7, AccountId = "A-1", Kind = "dunning-final-notice", Language = "en", Subject = "Final notice: invoice INV-2026-000001",
        Body = "Dear Ann,\nplease pay 36.00 USD.\n", CreatedAt = Instant.FromUtc(2027, 1, 5, 6, 0, 0), Email = "ann@example.org",
    };

    [Fact]
    public void Compose_WithoutAnAttachment_IsOnePlainTextPart()
    {
        using var channel = Channel();

        var mime = channel.Compose(Message());

        var text = Assert.IsType<TextPart>(mime.Body);
        Assert.True(text.IsPlain);
        Assert.Equal("Dear Ann,\nplease pay 36.00 USD.\n", text.Text);
    }

    [Fact]
    public void Compose_WithALetterAttached_IsMultipartMixed_TheTextThenThePdfByItsFileName_WithTheStoredBytes()
    {
        using var channel = Channel();
        var message = Attached.Letter(Message(), _folder);

        var mime = channel.Compose(message);

        // Written out and parsed back, as the server receives it.
        using var wire = new MemoryStream();
        mime.WriteTo(wire);
        wire.Position = 0;
        var received = MimeMessage.Load(wire);
        var mixed = Assert.IsType<Multipart>(received.Body);
        Assert.Equal("multipart/mixed", mixed.ContentType.MimeType);
        Assert.Equal(2, mixed.Count);
        var text = Assert.IsType<TextPart>(mixed[0]);
        Assert.Equal(("text/plain", "Dear Ann,\nplease pay 36.00 USD.\n"), (text.ContentType.MimeType, text.Text));
        var pdf = Assert.IsType<MimePart>(mixed[1]);
        Assert.Equal(("application/pdf", "INV-2026-000001.final-notice.pdf", true), (pdf.ContentType.MimeType, pdf.FileName, pdf.IsAttachment));
        using var bytes = new MemoryStream();
        pdf.Content!.DecodeTo(bytes);
        Assert.Equal(Attached.Pdf, bytes.ToArray());
        Assert.Equal("<notification-7@example.com>", received.Headers[HeaderId.MessageId]);
    }

    [Fact]
    public void Compose_WhenTheAttachedFileIsMissing_ThrowsNamingTheFile()
    {
        using var channel = Channel();
        var message = Attached.Letter(Message(), _folder);
        File.Delete(message.AttachmentPath!);

        var e = Assert.Throws<FileNotFoundException>(() => channel.Compose(message));

        Assert.Equal($"notification 7: its attachment INV-2026-000001.final-notice.pdf is missing from the document store ({message.AttachmentPath})", e.Message);
    }

    [Fact]
    public void Compose_WhenTheAttachedFileHasOtherBytes_ThrowsWithBothHashes()
    {
        using var channel = Channel();
        var message = Attached.Letter(Message(), _folder);
        File.WriteAllBytes(message.AttachmentPath!, [.. Attached.Pdf, 0x20]);

        var e = Assert.Throws<InvalidDataException>(() => channel.Compose(message));

        Assert.Contains($"not the recorded {message.AttachmentSha256}: the file was changed", e.Message, StringComparison.Ordinal);
    }
}
