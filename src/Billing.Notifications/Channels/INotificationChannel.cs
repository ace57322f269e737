using Billing.Core.Notifications;

namespace Billing.Notifications.Channels;

/// <summary>
/// A way to deliver an outbox message. <see cref="Send"/> returns once the message is handed over
/// and throws if it was not; delivery records the outcome. One instance serves one delivery run
/// (it may keep a connection open between messages) and is not shared between threads.
/// </summary>
public interface INotificationChannel : IDisposable
{
    /// <summary>Stored in <c>notifications.channel</c>: "file" or "smtp".</summary>
    string Name { get; }

    /// <summary>
    /// Why the message cannot go through this channel (the account has no usable e-mail address), or
    /// null. Such a message is marked no-address, not tried again: retrying would not help.
    /// </summary>
    string? AddressProblem(OutboxMessage message);

    void Send(OutboxMessage message);
}

/// <summary>Header values both channels write the same way.</summary>
public static class MessageHeaders
{
    /// <summary>Stable per notification, so a receiver can drop the copy sent again after a crash between send and commit.</summary>
    public static string MessageId(long notificationId, string domain) => $"notification-{notificationId}@{domain}";

    /// <summary>The domain of a From address, or <c>localhost</c> without one.</summary>
    public static string Domain(string? from)
    {
        if (from is null || !MimeKit.MailboxAddress.TryParse(from, out var mailbox))
        {
            return "localhost";
        }

        return mailbox.Domain is { Length: > 0 } domain ? domain : "localhost";
    }
}

/// <summary>The document a message carries, read from the document store for a channel to send.</summary>
public static class MessageAttachment
{
    /// <summary>
    /// The attached file's bytes, or null when the message has none. Throws when the file is missing or its
    /// SHA-256 is not the one recorded: the message is not sent without it, and delivery tries again later.
    /// </summary>
    public static byte[]? Read(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.AttachmentPath is not { } path)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"notification {message.Id}: its attachment {message.AttachmentName} is missing from the document store ({path})", path);
        }

        var bytes = File.ReadAllBytes(path);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        if (!string.Equals(sha, message.AttachmentSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"notification {message.Id}: its attachment {message.AttachmentName} ({path}) has SHA-256 {sha}, not the recorded {message.AttachmentSha256}: the file was changed");
        }

        return bytes;
    }
}
