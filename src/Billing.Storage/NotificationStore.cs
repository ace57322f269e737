using Dapper;
using Npgsql;

namespace Billing.Storage;

/// <summary>A message to put in the outbox, already rendered in the account's language.</summary>
/// <param name="DedupeKey">what the message is about (e.g. <c>threshold:USAGE_ID</c>): the outbox holds one message per key.</param>
public sealed record NewNotification(string AccountId, string? Msisdn, string Kind, string Language, string Subject, string Body, string DedupeKey);

/// <summary>The notifications outbox: written in the transaction of whatever caused the message.</summary>
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
            INSERT INTO notifications (account_id, msisdn, kind, language, subject, body, dedupe_key)
            SELECT * FROM unnest(@accounts, @msisdns, @kinds, @languages, @subjects, @bodies, @keys)
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
        }, tx);
    }
}
