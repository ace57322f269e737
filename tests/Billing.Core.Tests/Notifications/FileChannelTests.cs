using Billing.Core.Notifications;
using Billing.Notifications;
using Billing.Notifications.Channels;
using NodaTime;

namespace Billing.Core.Tests.Notifications;

public sealed class FileChannelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "billing-outbox-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static OutboxMessage Message(string? email = "ann@example.org") => new()
    {
        Id = 42, AccountId = "A-1", Msisdn = "447700900123", Kind = "low-balance", Language = "pl", Subject = "Niskie saldo: 1,50 PLN",
        Body = "Dzień dobry Ann,\nsaldo spadło.\n", CreatedAt = Instant.FromUtc(2026, 11, 26, 10, 15, 0), Attempts = 0, Email = email,
    };

    [Fact]
    public void Send_WritesOneFileNamedByTimeIdAndKind_WithHeadersAndBody()
    {
        using var channel = new FileChannel(_folder, "Billing <billing@example.com>");

        channel.Send(Message());

        var file = Assert.Single(Directory.GetFiles(_folder));
        Assert.Equal("20261126T101500Z-000042-low-balance.txt", Path.GetFileName(file));
        Assert.Equal("""
            To: ann@example.org
            Subject: Niskie saldo: 1,50 PLN
            Date: Thu, 26 Nov 2026 10:15:00 GMT
            Message-ID: <notification-42@example.com>
            X-Billing-Account: A-1
            X-Billing-Msisdn: 447700900123
            X-Billing-Kind: low-balance
            Content-Language: pl

            Dzień dobry Ann,
            saldo spadło.

            """.Replace("\r\n", "\n", StringComparison.Ordinal), File.ReadAllText(file));
    }

    [Fact]
    public void Send_WritesTheMessageReadableByItsOwnerOnly_0600_InAFolderItCreates_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        using var channel = new FileChannel(Path.Combine(_folder, "outbox"));

        channel.Send(Message());

        var file = Assert.Single(Directory.GetFiles(channel.Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(channel.Folder));
    }

    [Fact]
    public void Send_OfTheSameMessageAgain_KeepsTheFirstFile_AndAddsNone()
    {
        using var channel = new FileChannel(_folder);
        channel.Send(Message());
        var path = channel.PathOf(Message());
        var first = File.ReadAllText(path);

        channel.Send(Message(email: "changed@example.org") with { Subject = "changed" });

        Assert.Equal([path], Directory.GetFiles(_folder));
        Assert.Equal(first, File.ReadAllText(path));
        Assert.Contains("Message-ID: <notification-42@localhost>", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Send_WithoutAnAddress_SaysSoInTheToLine()
    {
        using var channel = new FileChannel(_folder);

        channel.Send(Message(email: null));

        Assert.StartsWith("To: (no e-mail address) account A-1\n", File.ReadAllText(channel.PathOf(Message())), StringComparison.Ordinal);
        Assert.Null(channel.AddressProblem(Message(email: null)));
    }

    [Fact]
    public void Send_WithALetterAttached_WritesItsBytesBesideTheMessageAsDotPdf_0600_AndNamesItInAnAttachmentLine()
    {
        using var channel = new FileChannel(Path.Combine(_folder, "outbox"));
        var message = Attached.Letter(Message(), Path.Combine(_folder, "letters"));

        channel.Send(message);

        Assert.Equal(["20261126T101500Z-000042-low-balance.pdf", "20261126T101500Z-000042-low-balance.txt"],
            Directory.GetFiles(channel.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Attached.Pdf, File.ReadAllBytes(channel.AttachmentPathOf(message)));
        Assert.Contains("Content-Language: pl\nAttachment: 20261126T101500Z-000042-low-balance.pdf (INV-2026-000001.final-notice.pdf, application/pdf)\n\nDzień dobry",
            File.ReadAllText(channel.PathOf(message)), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(channel.AttachmentPathOf(message)));
        }
    }

    [Fact]
    public void Send_WhenTheAttachedFileWasChanged_Throws_AndWritesNeitherFile()
    {
        using var channel = new FileChannel(Path.Combine(_folder, "outbox"));
        var message = Attached.Letter(Message(), Path.Combine(_folder, "letters"));
        File.AppendAllText(message.AttachmentPath!, "tampered");

        var e = Assert.Throws<InvalidDataException>(() => channel.Send(message));

        Assert.Contains("its attachment INV-2026-000001.final-notice.pdf", e.Message, StringComparison.Ordinal);
        Assert.Contains("the file was changed", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(channel.Folder));
    }

    [Fact]
    public void Options_OpenTheFileChannel_InTheStateDirectory_ByDefault()
    {
        using var channel = new NotificationOptions().OpenChannel(_folder);

        var file = Assert.IsType<FileChannel>(channel);
        Assert.Equal(Path.Combine(_folder, "notifications"), file.Folder);
    }

    [Fact]
    public void Options_ListEveryProblem()
    {
        var options = new NotificationOptions
        {
            Channel = NotificationChannelKind.Smtp,
            MaxAttempts = 0,
            Folder = " ",
            Smtp = new SmtpOptions { Port = 70000, TimeoutSeconds = 0 },
        };

        Assert.Equal(
        [
            "notifications.maxAttempts must be 1–100, not 0",
            "notifications.folder must not be empty (leave it out for <stateDirectory>/notifications)",
            "notifications.smtp.port must be 1–65535, not 70000",
            "notifications.smtp.timeoutSeconds must be 1–600, not 0",
            "notifications.smtp.host is required when notifications.channel is \"smtp\"",
            "notifications.smtp.from is required when notifications.channel is \"smtp\"",
        ], options.Problems());
        Assert.Equal(["notifications.smtp.from 'not an address' is not an e-mail address (e.g. \"Billing <billing@example.com>\")"],
            new NotificationOptions { Smtp = new SmtpOptions { From = "not an address" } }.Problems());
        Assert.Empty(new NotificationOptions().Problems());
        Assert.Empty(new NotificationOptions { Channel = NotificationChannelKind.Smtp, Smtp = new SmtpOptions { Host = "127.0.0.1", From = "billing@example.com" } }.Problems());
    }
}
