using NodaTime;

namespace Billing.Core.Notifications;

/// <summary>The states of a message in the outbox (the CHECK of <c>notifications.status</c>).</summary>
public static class NotificationStatuses
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string NoAddress = "no-address";

    public static readonly IReadOnlyList<string> All = [Pending, Sent, Failed, NoAddress];
}

/// <summary>A message to put in the outbox, already rendered in the account's language.</summary>
/// <param name="DedupeKey">what the message is about (e.g. <c>threshold:USAGE_ID</c>): the outbox holds one message per key.</param>
/// <param name="Attachment">a recorded document that goes with the message (recorded before it, in the same transaction), or null.</param>
public sealed record NewNotification(string AccountId, string? Msisdn, string Kind, string Language, string Subject, string Body, string DedupeKey,
    AttachmentRef? Attachment = null);

/// <summary>A document in the <c>documents</c> table, by its kind's code (<c>letter</c>, …) and number.</summary>
public sealed record AttachmentRef(string Kind, string Number);

/// <summary>
/// A message in the outbox (a row of <c>notifications</c>): what was rendered when it was created,
/// where it stands, and the account's e-mail address as it is now (null when the account has none).
/// </summary>
public sealed record OutboxMessage
{
    public long Id { get; init; }

    public string AccountId { get; init; } = "";

    public string? Msisdn { get; init; }

    public string Kind { get; init; } = "";

    public string Language { get; init; } = "";

    public string Subject { get; init; } = "";

    public string Body { get; init; } = "";

    public string DedupeKey { get; init; } = "";

    /// <summary>When the message was composed: its Date, and part of its file name, so a re-delivery looks the same.</summary>
    public Instant CreatedAt { get; init; }

    public string Status { get; init; } = NotificationStatuses.Pending;

    /// <summary>Delivery attempts made so far.</summary>
    public int Attempts { get; init; }

    public Instant NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    /// <summary>The channel of the last attempt.</summary>
    public string? Channel { get; init; }

    public Instant? SentAt { get; init; }

    public string? Email { get; init; }

    /// <summary>The attached document's file (absolute, as recorded in <c>documents</c>), or null when nothing is attached.</summary>
    public string? AttachmentPath { get; init; }

    /// <summary>The name the attachment goes by (<c>INVOICE.STEP.pdf</c>).</summary>
    public string? AttachmentName { get; init; }

    /// <summary>The attached file's SHA-256 as recorded (hex): what is sent must have it.</summary>
    public string? AttachmentSha256 { get; init; }
}
