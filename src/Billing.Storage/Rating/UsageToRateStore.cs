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

    /// <summary>
    /// A range of ids that holds every usage record: from the identity's first value to the last it gave (ids given to
    /// rows not written, or no longer there, lie in it too), or (0, -1) before it gave any. Not min(id) and max(id): the
    /// usage table has no btree on id, and they would read all of it.
    /// </summary>
    public static (long Min, long Max) UsageIdRange(NpgsqlConnection conn) =>
        conn.QuerySingle<(long, long)>("""
            SELECT CASE WHEN v.last IS NULL THEN 0 ELSE q.seqmin END, coalesce(v.last, -1)
            FROM pg_sequence q, LATERAL (SELECT pg_sequence_last_value(q.seqrelid) AS last) v
            WHERE q.seqrelid = pg_get_serial_sequence('usage', 'id')::regclass
            """);

    /// <summary>
    /// Summarises the block ranges of usage that its BRIN on id has not summarised yet (rows written since the last
    /// VACUUM): a range read takes every page of an unsummarised block range, so without this each id range rated
    /// after an ingest would read all the pages the ingest wrote. One pass over those pages; nothing when there are none.
    /// A VACUUM of usage (which summarises them itself) or another process summarising holds the lock it needs: after two
    /// seconds it leaves them to that one rather than wait.
    /// </summary>
    public static void SummariseNewRanges(NpgsqlConnection conn)
    {
        ArgumentNullException.ThrowIfNull(conn);
        using var tx = conn.BeginTransaction();
        conn.Execute("SET LOCAL lock_timeout = '2s'", transaction: tx);
        try
        {
            conn.Execute("SELECT brin_summarize_new_values('usage_id')", transaction: tx);
            tx.Commit();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            tx.Rollback();
        }
    }

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
    /// with work left costs little more than the probe of its first few ids. Sequential scans are off for it: for a query
    /// that stops at its first row the planner takes a sequential scan, expecting the range's rows anywhere in the table,
    /// but ids follow the physical order, so it read every row before the range (204 ms for the range at 1,000,000 of
    /// 2,000,000 records, where the BRIN index on id finds the range's block ranges in under a millisecond).
    /// </summary>
    public static bool AnyWithoutCharge(NpgsqlTransaction tx, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var conn = tx.Connection!;
        conn.Execute("SET LOCAL enable_seqscan = off", transaction: tx);
        var any = conn.ExecuteScalar<bool>("""
            SELECT EXISTS (
                SELECT 1 FROM usage u
                WHERE u.id >= @from AND u.id < @to
                  AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id AND r.usage_id >= @from AND r.usage_id < @to))
            """, new { from, to }, tx);
        conn.Execute("RESET enable_seqscan", transaction: tx);
        return any;
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

    /// <summary>
    /// The usage records of the charges <paramref name="charges"/> returns — a statement over <c>rated_charges r</c> of subscription
    /// @sub and cycle @cycle that ends in <c>RETURNING r.*</c> or selects <c>r.*</c> — as they were rated under that subscription
    /// (whatever was imported since), in usage id order. Read from the charges alone (usage has no index that finds one id
    /// cheaply): <see cref="ChargeStore.WriteRow"/> stores what rating read of a record — its start, service, destination and
    /// the quantity priced (seconds of a call, 1 for an SMS, bytes of data; mediation leaves the other of duration and volume
    /// at 0) — and the subscription holds its number.
    /// </summary>
    internal static List<UsageToRate> OfCharges(NpgsqlTransaction tx, long sub, LocalDate cycle, string charges)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var rows = tx.Connection!.Query<ChargedUsage>($"""
            WITH r AS ({charges})
            SELECT r.usage_id, s.msisdn, r.service, r.destination, r.start_utc, r.quantity,
                   s.plan_id, s.account_id, a.time_zone, a.bill_cycle_day, a.payment_type, a.currency
            FROM r JOIN subscriptions s ON s.id = @sub JOIN accounts a ON a.id = s.account_id
            ORDER BY r.usage_id
            """, new { sub, cycle }, tx).AsList();
        if (rows.Count == 0)
        {
            return [];
        }

        var f = rows[0];
        var subscriber = new Subscriber(sub, f.PlanId, f.AccountId, DateTimeZoneProviders.Tzdb[f.TimeZone], f.BillCycleDay,
            PaymentTypes.Parse(f.PaymentType), Currency.Of(f.Currency));
        return rows.ConvertAll(r => new UsageToRate(r.UsageId, r.Msisdn, (ServiceType)r.Service, r.Destination, r.StartUtc,
            (ServiceType)r.Service == ServiceType.Voice ? r.Quantity : 0, (ServiceType)r.Service == ServiceType.Data ? r.Quantity : 0, subscriber));
    }

    private sealed record ChargedUsage
    {
        public long UsageId { get; init; }
        public string Msisdn { get; init; } = "";
        public short Service { get; init; }
        public string? Destination { get; init; }
        public Instant StartUtc { get; init; }
        public long Quantity { get; init; }
        public string PlanId { get; init; } = "";
        public string AccountId { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public int BillCycleDay { get; init; }
        public string PaymentType { get; init; } = "";
        public string Currency { get; init; } = "";
    }
}
