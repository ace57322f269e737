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
public sealed record NewNotification(string AccountId, string? Msisdn, string Kind, string Language, string Subject, string Body, string DedupeKey);

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
}
