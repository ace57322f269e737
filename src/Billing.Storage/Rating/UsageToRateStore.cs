using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Rating;

/// <summary>
/// Usage records to rate, read with the subscriber in force at their event time (subscriptions and
/// accounts joined): the unrated usage of an id range, or records taken back from their charges.
/// </summary>
public static class UsageToRateStore
{
    // Read by ordinal in ReadUsage, in this order; the query adds may_be_held as the last column.
    private const string UsageColumns = """
        u.id, u.msisdn, u.service, u.destination, u.start_utc, u.duration_s, u.volume_bytes,
        s.id AS sub_id, s.plan_id, s.account_id, a.time_zone, a.bill_cycle_day, a.payment_type, a.currency
        """;

    // The period of the number that started last at or before the event, if it is still open then:
    // a backward scan of the (msisdn, active_from) key, one index probe per usage record.
    private const string SubscriptionJoin = """
        LEFT JOIN LATERAL (
            SELECT p.id, p.plan_id, p.account_id, p.active_to FROM subscriptions p
            WHERE p.msisdn = u.msisdn AND p.active_from <= u.start_utc
            ORDER BY p.active_from DESC LIMIT 1) s ON s.active_to IS NULL OR s.active_to > u.start_utc
        LEFT JOIN accounts a ON a.id = s.account_id
        """;

    public static (long Min, long Max) UsageIdRange(NpgsqlConnection conn) =>
        conn.QuerySingle<(long, long)>("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM usage");

    /// <summary>
    /// Usage with no charge yet (unrated, or held) that starts before <paramref name="before"/>: what no catalogue version
    /// effective from then on can price. One pass over usage — run when a catalogue is loaded, not per rating run.
    /// </summary>
    public static (long Count, Instant? First) NotRatedBefore(NpgsqlConnection conn, Instant before) =>
        conn.QuerySingle<(long, Instant?)>("""
            SELECT count(*), min(u.start_utc) FROM usage u
            WHERE u.start_utc < @before AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id)
            """, new { before });

    /// <summary>
    /// A range of usage ids that holds the usage of the archived files with this name (one name can arrive several
    /// times): the bounds each file's ingest took from the usage sequence before and after writing its rows. Ids of
    /// other files written at the same time may lie in it too.
    /// </summary>
    public static (long Min, long Max) UsageIdRangeOfFile(NpgsqlConnection conn, string source, string fileName) =>
        conn.QuerySingle<(long, long)>("""
            SELECT coalesce(min(usage_ids_from), 0), coalesce(max(usage_ids_to), -1)
            FROM cdr_files WHERE source = @source AND file_name = @fileName AND status = 'archived'
            """, new { source, fileName });

    /// <summary>
    /// Whether any usage record in [from, to) has no charge — whatever its partition or hold. Every record
    /// <see cref="Unrated"/> can return has none, so when this is false that read (a subscription lookup per
    /// record, about half a second for 200,000 ids) would find nothing: a range rated in full by another worker
    /// since this one claimed its partitions, or by an earlier run. It stops at the first such record, so a range
    /// with work left costs little more than the probe of its first few ids.
    /// </summary>
    public static bool AnyWithoutCharge(NpgsqlTransaction tx, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.ExecuteScalar<bool>("""
            SELECT EXISTS (
                SELECT 1 FROM usage u
                WHERE u.id >= @from AND u.id < @to
                  AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id AND r.usage_id >= @from AND r.usage_id < @to))
            """, new { from, to }, tx);
    }

    /// <summary>
    /// Unrated usage in [from, to) of the subscriber partitions <paramref name="partitions"/> (those the caller
    /// holds, read together: one read of the range whatever their number): not rated, and either never held or
    /// held for a cause that may be gone (a subscriber now exists; a catalogue version newer than the one that failed;
    /// the subscription's suspension lifted, or suspended usage no longer held). Where <paramref name="suspended"/>
    /// holds suspended subscribers' usage, each record carries the day its subscription's open suspension
    /// began if the event falls in it (<see cref="UsageToRate.SuspendedSince"/>).
    /// </summary>
    public static IReadOnlyList<UsageToRate> Unrated(NpgsqlTransaction tx, long from, long to, int latestCatalog, IReadOnlyCollection<int> partitions, SuspendedUsage suspended = SuspendedUsage.Rate)
    {
        using var cmd = new NpgsqlCommand($"""
            SELECT {UsageColumns}, h.usage_id IS NOT NULL AS may_be_held,
                   CASE WHEN @holdSuspended THEN (SELECT x.suspended_on FROM suspensions x
                        WHERE x.subscription_id = s.id AND x.lifted_on IS NULL AND x.suspended_on <= (u.start_utc AT TIME ZONE 'UTC')::date) END AS suspended_since
            FROM usage u
            LEFT JOIN msisdn_partitions mp ON mp.msisdn = u.msisdn
            {SubscriptionJoin}
            LEFT JOIN rating_holds h ON h.usage_id = u.id
            WHERE u.id >= @from AND u.id < @to AND (hashtext(coalesce(mp.account_id, u.msisdn)) & @mask) = ANY(@partitions)
              AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id AND r.usage_id >= @from AND r.usage_id < @to)
              AND (h.usage_id IS NULL
                   OR (h.reason = @unknownSubscriber AND s.id IS NOT NULL)
                   OR (h.reason = @suspendedReason
                       AND (NOT @holdSuspended OR NOT EXISTS (SELECT 1 FROM suspensions x WHERE x.subscription_id = s.id AND x.lifted_on IS NULL)))
                   OR (h.reason NOT IN (@unknownSubscriber, @suspendedReason) AND h.catalog_version IS DISTINCT FROM @latestCatalog))
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.AddWithValue("latestCatalog", latestCatalog);
        cmd.Parameters.AddWithValue("unknownSubscriber", HoldReasons.UnknownSubscriber);
        cmd.Parameters.AddWithValue("suspendedReason", HoldReasons.Suspended);
        cmd.Parameters.AddWithValue("holdSuspended", suspended == SuspendedUsage.Hold);
        cmd.Parameters.AddWithValue("partitions", partitions.ToArray());
        cmd.Parameters.AddWithValue("mask", RatingPartitions.Count - 1);
        return ReadUsage(cmd);
    }

    /// <summary>
    /// The usage records of <paramref name="cmd"/>, which selects <see cref="UsageColumns"/>, may_be_held and optionally suspended_since.
    /// A subscription's columns are the same on each of its records: they are read once per subscription, and its records share one
    /// <see cref="Subscriber"/> (a range holds about twenty records per subscription).
    /// </summary>
    private static List<UsageToRate> ReadUsage(NpgsqlCommand cmd)
    {
        var list = new List<UsageToRate>();
        var subscribers = new Dictionary<long, Subscriber>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            Subscriber? subscriber = null;
            if (!reader.IsDBNull(7))
            {
                var id = reader.GetInt64(7);
                if (!subscribers.TryGetValue(id, out subscriber))
                {
                    subscriber = new Subscriber(
                        id,
                        reader.GetString(8),
                        reader.GetString(9),
                        DateTimeZoneProviders.Tzdb[reader.GetString(10)],
                        reader.GetInt16(11),
                        PaymentTypes.Parse(reader.GetString(12)),
                        Currency.Of(reader.GetString(13)));
                    subscribers.Add(id, subscriber);
                }
            }

            list.Add(new UsageToRate(
                reader.GetInt64(0),
                reader.GetString(1),
                (ServiceType)reader.GetInt16(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<Instant>(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                subscriber)
            {
                MayBeHeld = reader.GetBoolean(14),
                SuspendedSince = reader.FieldCount > 15 && !reader.IsDBNull(15) ? reader.GetFieldValue<LocalDate>(15) : null,
            });
        }

        return list;
    }

    /// <summary>Usage records taken back from charges of one subscription (<see cref="UsageToRate.Retaken"/>), as they were rated under it, whatever was imported since.</summary>
    public static List<UsageToRate> Retaken(NpgsqlTransaction tx, long sub, long[] ids) =>
        ids.Length == 0 ? [] : UsageOf(tx, sub, ids).Select(u => u with { Retaken = true }).ToList();

    /// <summary>These usage records of one subscription, as they were rated under it (whatever was imported since).</summary>
    internal static List<UsageToRate> UsageOf(NpgsqlTransaction tx, long sub, long[] ids)
    {
        using var cmd = new NpgsqlCommand($"""
            SELECT {UsageColumns}, true AS may_be_held FROM usage u
            JOIN subscriptions s ON s.id = @sub
            JOIN accounts a ON a.id = s.account_id
            WHERE u.id = ANY(@ids)
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue("sub", sub);
        cmd.Parameters.AddWithValue("ids", ids);
        return ReadUsage(cmd);
    }
}
