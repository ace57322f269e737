using Billing.Core.Notifications;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

/// <summary>Which messages to list; null filters match everything.</summary>
public sealed record NotificationFilter(string? Status = null, string? AccountId = null, string? Kind = null, int Limit = 50);

/// <summary>
/// The notifications outbox: written in the transaction of whatever caused the message, delivered by
/// claiming due messages with row locks (<c>FOR UPDATE SKIP LOCKED</c>) so that deliverers running at
/// the same time never take the same message. Which messages are due, and when a failed one is tried
/// again, go by the caller's clock (<c>now</c>); a message is due from when it is created.
/// </summary>
public static class NotificationStore
{
    /// <summary>Adds messages to the outbox; one whose key is already there is not added again. Returns how many were added.</summary>
    public static int Enqueue(NpgsqlTransaction tx, IReadOnlyList<NewNotification> rows)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return 0;
        }

        return tx.Connection!.Execute("""
            INSERT INTO notifications (account_id, msisdn, kind, language, subject, body, dedupe_key, attachment_kind, attachment_number)
            SELECT * FROM unnest(@accounts, @msisdns, @kinds, @languages, @subjects, @bodies, @keys, @attachmentKinds, @attachmentNumbers)
            ON CONFLICT (dedupe_key) DO NOTHING
            """, new
        {
            accounts = rows.Select(r => r.AccountId).ToArray(),
            msisdns = rows.Select(r => r.Msisdn).ToArray(),
            kinds = rows.Select(r => r.Kind).ToArray(),
            languages = rows.Select(r => r.Language).ToArray(),
            subjects = rows.Select(r => r.Subject).ToArray(),
            bodies = rows.Select(r => r.Body).ToArray(),
            keys = rows.Select(r => r.DedupeKey).ToArray(),
            attachmentKinds = rows.Select(r => r.Attachment?.Kind).ToArray(),
            attachmentNumbers = rows.Select(r => r.Attachment?.Number).ToArray(),
        }, tx);
    }

    /// <summary>Messages matching <paramref name="filter"/>, newest first.</summary>
    public static IReadOnlyList<OutboxMessage> List(NpgsqlConnection conn, NotificationFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return conn.Query<OutboxMessage>($"""
            {SelectMessages}
            WHERE (@Status::text IS NULL OR n.status = @Status) AND (@AccountId::text IS NULL OR n.account_id = @AccountId)
              AND (@Kind::text IS NULL OR n.kind = @Kind)
            ORDER BY n.created_at DESC, n.id DESC
            LIMIT @Limit
            """, filter).AsList();
    }

    /// <summary>The account's latest messages of these kinds, newest (highest id) first.</summary>
    public static IReadOnlyList<OutboxMessage> Latest(NpgsqlConnection conn, string accountId, IReadOnlyCollection<string> kinds, int limit)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        return conn.Query<OutboxMessage>($"""
            {SelectMessages}
            WHERE n.account_id = @accountId AND n.kind = ANY(@kinds)
            ORDER BY n.id DESC
            LIMIT @limit
            """, new { accountId, kinds = kinds.ToArray(), limit }).AsList();
    }

    private const string SelectMessages = """
        SELECT n.id, n.account_id, n.msisdn, n.kind, n.language, n.subject, n.body, n.dedupe_key, n.created_at, n.status, n.attempts,
               n.next_attempt_at, n.last_error, n.channel, n.sent_at, nullif(btrim(a.email), '') AS email,
               d.path AS attachment_path, CASE WHEN d.path IS NOT NULL THEN n.attachment_number || '.pdf' END AS attachment_name, d.sha256 AS attachment_sha256
        FROM notifications n JOIN accounts a ON a.id = n.account_id
        LEFT JOIN documents d ON d.kind = n.attachment_kind AND d.number = n.attachment_number
        """;

    /// <summary>How many messages are in each status (every status, zero included), optionally of one account and kind.</summary>
    public static IReadOnlyDictionary<string, long> CountByStatus(NpgsqlConnection conn, string? accountId = null, string? kind = null)
    {
        var counts = NotificationStatuses.All.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var (status, count) in conn.Query<(string, long)>("""
            SELECT status, count(*) FROM notifications
            WHERE (@accountId::text IS NULL OR account_id = @accountId) AND (@kind::text IS NULL OR kind = @kind)
            GROUP BY status
            """, new { accountId, kind }))
        {
            counts[status] = count;
        }

        return counts;
    }

    /// <summary>
    /// Locks up to <paramref name="limit"/> pending messages that are due at <paramref name="now"/>, oldest
    /// first, with the account's e-mail address as it is now. Rows locked by another deliverer are skipped;
    /// the locks last until <paramref name="tx"/> ends, which must record what became of each message.
    /// </summary>
    public static IReadOnlyList<OutboxMessage> ClaimDue(NpgsqlTransaction tx, int limit, Instant now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<OutboxMessage>($"""
            {SelectMessages}
            WHERE n.status = 'pending' AND n.next_attempt_at <= @now
            ORDER BY n.id
            LIMIT @limit
            FOR UPDATE OF n SKIP LOCKED
            """, new { limit, now }, tx).AsList();
    }

    public static void MarkSent(NpgsqlTransaction tx, long id, string channel, Instant now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Connection!.Execute("""
            UPDATE notifications SET status = 'sent', channel = @channel, sent_at = @now, attempts = attempts + 1
            WHERE id = @id
            """, new { id, channel, now }, tx);
    }

    /// <summary>Counts a failed attempt made at <paramref name="now"/>: pending again after the decision's delay, or failed for good.</summary>
    public static void MarkAttemptFailed(NpgsqlTransaction tx, long id, string channel, string error, RetryDecision decision, Instant now)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Connection!.Execute("""
            UPDATE notifications
            SET attempts = attempts + 1, last_error = @error, channel = @channel,
                status = CASE WHEN @giveUp THEN 'failed' ELSE 'pending' END,
                next_attempt_at = CASE WHEN @giveUp THEN next_attempt_at ELSE @next END
            WHERE id = @id
            """, new { id, channel, error, giveUp = decision.GiveUp, next = now + decision.Delay }, tx);
    }

    /// <summary>The channel needs an e-mail address and the account has no usable one: not tried again until `billing notifications retry`.</summary>
    public static void MarkNoAddress(NpgsqlTransaction tx, long id, string channel, string problem)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Connection!.Execute("""
            UPDATE notifications SET status = 'no-address', channel = @channel, last_error = @problem
            WHERE id = @id
            """, new { id, channel, problem }, tx);
    }

    /// <summary>
    /// Makes a failed or no-address message pending and due at <paramref name="now"/>, with a fresh count of
    /// attempts (last_error stays until it is sent). Returns its status before, or null if there is no such
    /// message; a message in any other status is left as it is.
    /// </summary>
    public static string? Retry(NpgsqlConnection conn, long id, Instant now)
    {
        using var tx = conn.BeginTransaction();
        var status = conn.QuerySingleOrDefault<string?>("SELECT status FROM notifications WHERE id = @id FOR UPDATE", new { id }, tx);
        if (status is NotificationStatuses.Failed or NotificationStatuses.NoAddress)
        {
            conn.Execute("UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = @now WHERE id = @id", new { id, now }, tx);
        }

        tx.Commit();
        return status;
    }
}
