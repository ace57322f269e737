using Billing.Core.Notifications;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Integration.Tests.Notifications;

/// <summary>A notifications row as the tests read it back.</summary>
public sealed record StoredNotification
{
    public long Id { get; init; }
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public string? Channel { get; init; }
    public Instant? SentAt { get; init; }
    public bool DueNow { get; init; }
    public double SecondsUntilDue { get; init; }
}

/// <summary>Accounts and outbox messages for delivery tests.</summary>
public static class OutboxData
{
    public static void AddAccount(NpgsqlConnection conn, string id, string? email, string language = "en") =>
        conn.Execute("""
            INSERT INTO accounts (id, name, email, language, currency, time_zone, payment_type, bill_cycle_day)
            VALUES (@id, 'Customer ' || @id, @email, @language, 'GBP', 'Europe/London', 'prepaid', 1)
            """, new { id, email, language });

    /// <summary>Enqueues <paramref name="count"/> low-balance messages for the account; returns their ids in order.</summary>
    public static IReadOnlyList<long> Enqueue(NpgsqlConnection conn, string accountId, int count, string keyPrefix = "t")
    {
        using var tx = conn.BeginTransaction();
        var rows = Enumerable.Range(1, count)
            .Select(i => new NewNotification(accountId, "447700900" + i.ToString("000", System.Globalization.CultureInfo.InvariantCulture), "low-balance", "en",
                $"Your balance is low ({accountId} #{i})", $"Hello {accountId},\n\nmessage {i}.\n", $"{keyPrefix}:{accountId}:{i}"))
            .ToList();
        Assert.Equal(count, NotificationStore.Enqueue(tx, rows));
        tx.Commit();
        return conn.Query<long>("SELECT id FROM notifications WHERE dedupe_key LIKE @prefix ORDER BY id", new { prefix = $"{keyPrefix}:{accountId}:%" }).AsList();
    }

    public static StoredNotification Get(NpgsqlConnection conn, long id) =>
        conn.QuerySingle<StoredNotification>("""
            SELECT id, status, attempts, last_error, channel, sent_at, next_attempt_at <= now() AS due_now,
                   extract(epoch FROM next_attempt_at - now())::float8 AS seconds_until_due
            FROM notifications WHERE id = @id
            """, new { id });

    /// <summary>Brings a waiting retry forward, as if its backoff had passed.</summary>
    public static void MakeDue(NpgsqlConnection conn) =>
        conn.Execute("UPDATE notifications SET next_attempt_at = now() WHERE status = 'pending'");
}
