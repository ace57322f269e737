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
    /// <see cref="Unrated"/> can return has none, so when this is false that read (a scan of the range with its
    /// partitions, charges and holds joined, about 140 ms of server CPU for 200,000 ids) would find nothing: a range rated
    /// in full by another worker since this one claimed its partitions, or by an earlier run. It stops at the first such
    /// record (where usage.id has only a BRIN index, after hashing the range's charges); a range whose records all have a
    /// charge costs one merge or hash of both id lists (about 40 ms).
    /// Sequential scans are off for it too: for a query that stops at its first row the planner takes a sequential scan,
    /// expecting the range's rows anywhere in the table, but ids follow the physical order, so it read every row before
    /// the range (204 ms for the range at 1,000,000 of 2,000,000 records, where the BRIN index on id finds the range's
    /// block ranges in under a millisecond).
    /// </summary>
    public static bool AnyWithoutCharge(NpgsqlTransaction tx, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return OverTheRange(tx, hashOnly: false, seqScan: false, () => tx.Connection!.ExecuteScalar<bool>("""
            SELECT EXISTS (
                SELECT 1 FROM usage u
                WHERE u.id >= @from AND u.id < @to
                  AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id AND r.usage_id >= @from AND r.usage_id < @to))
            """, new { from, to }, tx));
    }

    /// <summary>
    /// Runs a read of an id range planned as whole-range joins, and puts the planner's settings back after it: no nested
    /// loops, no parallel workers, and with <paramref name="hashOnly"/> no merge joins either. The planner otherwise looks
    /// rows up once per usage record wherever it expects few rows or an early stop: under EXISTS, at a run's first ranges
    /// while rated_charges has no statistics, and after the partition filter, whose hash it cannot estimate (it expects
    /// 1 % of the range, not half). A range whose records all have a charge cost 200,000 lookups (measured 140 ms of
    /// server CPU; 300 ms where usage.id has only a BRIN index) instead of one merge or hash of both sides (40 ms either
    /// way); after the hash join with msisdn_partitions, whose output is not in id order, a merge would sort it first.
    /// Without <paramref name="seqScan"/>, no sequential scans either (see <see cref="AnyWithoutCharge"/>).
    /// </summary>
    private static T OverTheRange<T>(NpgsqlTransaction tx, bool hashOnly, bool seqScan, Func<T> read)
    {
        var conn = tx.Connection!;
        var (nestLoop, mergeJoin, parallel, seq) = conn.QuerySingle<(string, string, string, string)>(
            "SELECT current_setting('enable_nestloop'), current_setting('enable_mergejoin'), current_setting('max_parallel_workers_per_gather'), current_setting('enable_seqscan')",
            transaction: tx);
        const string Set = """
            SELECT set_config('enable_nestloop', @nestLoop, true), set_config('enable_mergejoin', @mergeJoin, true),
                   set_config('max_parallel_workers_per_gather', @parallel, true), set_config('enable_seqscan', @seq, true)
            """;
        conn.Execute(Set, new { nestLoop = "off", mergeJoin = hashOnly ? "off" : mergeJoin, parallel = "0", seq = seqScan ? seq : "off" }, tx);
        var result = read();
        conn.Execute(Set, new { nestLoop, mergeJoin, parallel, seq }, tx);
        return result;
    }

    /// <summary>
    /// Unrated usage in [from, to) of the subscriber partitions <paramref name="partitions"/> (those the caller
    /// holds, read together: one read of the range whatever their number): not rated, and either never held or
    /// held for a cause that may be gone (<see cref="HeldUsage.MayRate"/>: a subscriber now exists; a catalogue version
    /// newer than the one that failed; the subscription's suspension lifted, or suspended usage no longer held). Where
    /// <paramref name="suspended"/> holds suspended subscribers' usage, each record carries the day its subscription's open
    /// suspension began if the event falls in it (<see cref="UsageToRate.SuspendedSince"/>).
    /// </summary>
    /// <remarks>
    /// The server only scans the id range: it keeps the partitions' usage by the number's partition (its account's in
    /// msisdn_partitions, hashed once per statement, or the number's own hash when it is listed nowhere), leaves out what
    /// has a charge or stays held whatever the subscriber (a hash anti-join and a hash join over the range), and sends the rest. The
    /// subscriber at each event is found here, in <paramref name="periods"/> (<see cref="Periods"/>, read by the caller once
    /// per round of partitions): a lookup of subscriptions, msisdn_partitions and rating_holds per usage record was most of
    /// the read's cost (6.3 s of server CPU for 2,000,000 records, now about 3.5 s).
    /// </remarks>
    public static IReadOnlyList<UsageToRate> Unrated(NpgsqlTransaction tx, long from, long to, int latestCatalog, IReadOnlyCollection<int> partitions, SubscriptionPeriods periods, SuspendedUsage suspended = SuspendedUsage.Rate)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(periods);
        return OverTheRange(tx, hashOnly: true, seqScan: true, () => Candidates(tx, from, to, latestCatalog, partitions, periods, suspended));
    }

    private static List<UsageToRate> Candidates(NpgsqlTransaction tx, long from, long to, int latestCatalog, IReadOnlyCollection<int> partitions, SubscriptionPeriods periods, SuspendedUsage suspended)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT u.id, u.msisdn, u.service, u.destination, u.start_utc, u.duration_s, u.volume_bytes, h.reason, h.catalog_version
            FROM usage u
            LEFT JOIN msisdn_partitions mp ON mp.msisdn = u.msisdn
            LEFT JOIN rating_holds h ON h.usage_id = u.id AND h.usage_id >= @from AND h.usage_id < @to
            WHERE u.id >= @from AND u.id < @to AND (hashtext(coalesce(mp.account_id, u.msisdn)) & @mask) = ANY(@partitions)
              AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id AND r.usage_id >= @from AND r.usage_id < @to)
              AND (h.usage_id IS NULL OR h.reason IN (@unknownSubscriber, @suspendedReason) OR h.catalog_version IS DISTINCT FROM @latestCatalog)
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.AddWithValue("latestCatalog", latestCatalog);
        cmd.Parameters.AddWithValue("unknownSubscriber", HoldReasons.UnknownSubscriber);
        cmd.Parameters.AddWithValue("suspendedReason", HoldReasons.Suspended);
        cmd.Parameters.AddWithValue("partitions", partitions.ToArray());
        cmd.Parameters.AddWithValue("mask", RatingPartitions.Count - 1);

        var list = new List<UsageToRate>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var msisdn = reader.GetString(1);
            var start = reader.GetFieldValue<Instant>(4);
            var period = periods.At(msisdn, start);
            var heldFor = reader.IsDBNull(7) ? null : reader.GetString(7);
            if (HeldUsage.MayRate(heldFor, reader.IsDBNull(8) ? null : reader.GetInt32(8), period, latestCatalog, suspended))
            {
                list.Add(Record(reader, msisdn, start, period?.Subscriber, heldFor is not null, HeldUsage.SuspendedSince(period, start, suspended)));
            }
        }

        return list;
    }

    /// <summary>
    /// The subscription periods of every number (<paramref name="ofUsage"/> null), or of the numbers with usage in those ids (both
    /// included), each with its account and the start of its suspension not lifted yet (<see cref="SubscriptionPeriods"/>): at most as
    /// many rows as subscriptions, whatever the usage. A rating run reads them once per round of partitions — all of them, or for a
    /// run of no more than one range (the rating after a file's ingest) only its numbers', so that a small file does not read every
    /// subscriber.
    /// </summary>
    public static SubscriptionPeriods Periods(NpgsqlConnection conn, (long Min, long Max)? ofUsage = null)
    {
        ArgumentNullException.ThrowIfNull(conn);
        const string All = """
            SELECT s.msisdn, s.active_from, s.active_to, s.id, s.plan_id, s.account_id, a.time_zone, a.bill_cycle_day, a.payment_type, a.currency, x.suspended_on
            FROM subscriptions s
            JOIN accounts a ON a.id = s.account_id
            LEFT JOIN suspensions x ON x.subscription_id = s.id AND x.lifted_on IS NULL
            """;
        // Its own statement, not a switch in one: a semi-join the planner can start from the range's numbers.
        const string OfUsage = All + " WHERE s.msisdn IN (SELECT u.msisdn FROM usage u WHERE u.id >= @min AND u.id <= @max)";
        using var cmd = ofUsage is null ? new NpgsqlCommand(All, conn) : new NpgsqlCommand(OfUsage, conn);
        if (ofUsage is { } ids)
        {
            cmd.Parameters.AddWithValue("min", ids.Min);
            cmd.Parameters.AddWithValue("max", ids.Max);
        }

        var periods = new List<SubscriptionPeriod>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            periods.Add(new SubscriptionPeriod(
                reader.GetString(0),
                reader.GetFieldValue<Instant>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<Instant>(2),
                SubscriberAt(reader, 3),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<LocalDate>(10)));
        }

        return new SubscriptionPeriods(periods);
    }

    /// <summary>
    /// The subscriber of a row's columns from <paramref name="first"/> on: subscription id, plan, account, and the account's
    /// time zone, bill cycle day, payment type and currency.
    /// </summary>
    private static Subscriber SubscriberAt(NpgsqlDataReader reader, int first) => new(
        reader.GetInt64(first),
        reader.GetString(first + 1),
        reader.GetString(first + 2),
        DateTimeZoneProviders.Tzdb[reader.GetString(first + 3)],
        reader.GetInt16(first + 4),
        PaymentTypes.Parse(reader.GetString(first + 5)),
        Currency.Of(reader.GetString(first + 6)));

    /// <summary>The usage record of a row whose first seven columns are id, msisdn, service, destination, start_utc, duration_s, volume_bytes.</summary>
    private static UsageToRate Record(NpgsqlDataReader reader, string msisdn, Instant start, Subscriber? subscriber, bool mayBeHeld, LocalDate? suspendedSince) => new(
        reader.GetInt64(0),
        msisdn,
        (ServiceType)reader.GetInt16(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        start,
        reader.GetInt64(5),
        reader.GetInt64(6),
        subscriber)
    {
        MayBeHeld = mayBeHeld,
        SuspendedSince = suspendedSince,
    };

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
