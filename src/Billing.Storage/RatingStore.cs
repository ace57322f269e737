using System.Text.Json;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Storage;

/// <summary>A usage record to rate, with the subscription in force at its time (if any).</summary>
public sealed record RatingCandidate
{
    public long Id { get; init; }
    public string Msisdn { get; init; } = "";
    public short Service { get; init; }
    public string? Destination { get; init; }
    public Instant StartUtc { get; init; }
    public long DurationS { get; init; }
    public long VolumeBytes { get; init; }
    public long? SubId { get; init; }
    public string? PlanId { get; init; }
    public string? AccountId { get; init; }
    public string? TimeZone { get; init; }
    public int? BillCycleDay { get; init; }
    public long? InvoiceId { get; init; }
    public decimal? OldAmount { get; init; }

    /// <summary>The subscriber's account pays in advance: its charges are taken from its wallet.</summary>
    public bool Prepaid { get; init; }

    /// <summary>The account's currency: a prepaid wallet's, which its charges must be in.</summary>
    public string? AccountCurrency { get; init; }

    /// <summary>Rated before and taken back to be rated again (a late file, a re-rate): its wallet may have been charged already.</summary>
    public bool Retaken { get; init; }

    /// <summary>False only when the read saw no hold on this record (so rating it has none to clear).</summary>
    public bool MayBeHeld { get; init; } = true;

    public ServiceType ServiceType => (ServiceType)Service;

    public long Quantity => ServiceType switch
    {
        ServiceType.Voice => DurationS,
        ServiceType.Sms => 1,
        _ => VolumeBytes,
    };
}

/// <summary>A priced usage record ready to store.</summary>
public sealed record ChargeRow(RatingCandidate Usage, LocalDate CycleStart, int CatalogVersion, RatedCharge Charge);

/// <summary>Rated charges, allowance balances and holds: the rating job's SQL.</summary>
public static class RatingStore
{
    private const string CandidateColumns = """
        u.id, u.msisdn, u.service, u.destination, u.start_utc, u.duration_s, u.volume_bytes,
        s.id AS sub_id, s.plan_id, s.account_id, a.time_zone, a.bill_cycle_day, a.payment_type = 'prepaid' AS prepaid, a.currency AS account_currency
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

    /// <summary>The usage ids of the archived files with this name (one name can arrive several times).</summary>
    public static (long Min, long Max) UsageIdRangeOfFile(NpgsqlConnection conn, string source, string fileName) =>
        conn.QuerySingle<(long, long)>("""
            SELECT coalesce(min(u.id), 0), coalesce(max(u.id), -1)
            FROM usage u JOIN cdr_files f ON f.id = u.file_id
            WHERE f.source = @source AND f.file_name = @fileName AND f.status = 'archived'
            """, new { source, fileName });

    /// <summary>
    /// Subscriber partitions: usage of one account's numbers always falls into the same one (by a hash
    /// of the account, from msisdn_partitions; a number of no account yet by its own hash). Each partition's
    /// pass reads every usage row of its id span, so more partitions mean more parallel processes
    /// but more reading: four suit the one-to-four workers of a small operator.
    /// </summary>
    public const int Partitions = 4;

    private const int PartitionLockSpace = 1381253457;

    /// <summary>Claims a subscriber partition for this session (until released or disconnected); false if another process has it.</summary>
    public static bool TryClaimPartition(NpgsqlConnection conn, int partition) =>
        conn.ExecuteScalar<bool>("SELECT pg_try_advisory_lock(@space, @partition)", new { space = PartitionLockSpace, partition });

    public static void ReleasePartition(NpgsqlConnection conn, int partition) =>
        conn.ExecuteScalar<bool>("SELECT pg_advisory_unlock(@space, @partition)", new { space = PartitionLockSpace, partition });

    /// <summary>
    /// Unrated usage in [from, to): not rated, and either never held or held for a cause that may be
    /// gone (a subscriber now exists; a catalogue version newer than the one that failed).
    /// </summary>
    public static IReadOnlyList<RatingCandidate> Unrated(NpgsqlTransaction tx, long from, long to, int latestCatalog, int partition)
    {
        using var cmd = new NpgsqlCommand($"""
            SELECT {CandidateColumns}, h.usage_id IS NOT NULL AS may_be_held
            FROM usage u
            LEFT JOIN msisdn_partitions mp ON mp.msisdn = u.msisdn
            {SubscriptionJoin}
            LEFT JOIN rating_holds h ON h.usage_id = u.id
            WHERE u.id >= @from AND u.id < @to AND (hashtext(coalesce(mp.account_id, u.msisdn)) & @mask) = @partition
              AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id AND r.usage_id >= @from AND r.usage_id < @to)
              AND (h.usage_id IS NULL
                   OR (h.reason = 'unknown-subscriber' AND s.id IS NOT NULL)
                   OR (h.reason <> 'unknown-subscriber' AND h.catalog_version IS DISTINCT FROM @latestCatalog))
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.AddWithValue("latestCatalog", latestCatalog);
        cmd.Parameters.AddWithValue("partition", partition);
        cmd.Parameters.AddWithValue("mask", Partitions - 1);
        var list = new List<RatingCandidate>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            // Read by ordinal, in the order of CandidateColumns.
            list.Add(new RatingCandidate
            {
                Id = reader.GetInt64(0),
                Msisdn = reader.GetString(1),
                Service = reader.GetInt16(2),
                Destination = reader.IsDBNull(3) ? null : reader.GetString(3),
                StartUtc = reader.GetFieldValue<Instant>(4),
                DurationS = reader.GetInt64(5),
                VolumeBytes = reader.GetInt64(6),
                SubId = reader.IsDBNull(7) ? null : reader.GetInt64(7),
                PlanId = reader.IsDBNull(8) ? null : reader.GetString(8),
                AccountId = reader.IsDBNull(9) ? null : reader.GetString(9),
                TimeZone = reader.IsDBNull(10) ? null : reader.GetString(10),
                BillCycleDay = reader.IsDBNull(11) ? null : reader.GetInt16(11),
                Prepaid = !reader.IsDBNull(12) && reader.GetBoolean(12),
                AccountCurrency = reader.IsDBNull(13) ? null : reader.GetString(13),
                MayBeHeld = reader.GetBoolean(14),
            });
        }

        return list;
    }

    /// <summary>
    /// The last charge already rated per (subscription, cycle) in event-time order — start, then usage
    /// id for events in the same instant — to tell an in-order batch from a late one.
    /// </summary>
    public static Dictionary<(long Sub, LocalDate Cycle), (Instant Start, long UsageId)> LatestRated(NpgsqlTransaction tx, IReadOnlyCollection<(long Sub, LocalDate Cycle)> keys)
    {
        var subs = keys.Select(k => k.Sub).ToArray();
        var cycles = keys.Select(k => k.Cycle.ToDateOnly()).ToArray();
        // One backward probe of the (subscription, cycle, start) index per key: the cost does not grow
        // with the charges a cycle already has (DISTINCT ON over a join read all of them).
        return tx.Connection!.Query<(long Sub, LocalDate Cycle, Instant Latest, long UsageId)>("""
            SELECT k.sub, k.cycle, r.start_utc, r.usage_id
            FROM unnest(@subs, @cycles) AS k(sub, cycle)
            CROSS JOIN LATERAL (
                SELECT r.start_utc, r.usage_id FROM rated_charges r
                WHERE r.subscription_id = k.sub AND r.cycle_start = k.cycle
                ORDER BY r.start_utc DESC, r.usage_id DESC LIMIT 1) r
            """, new { subs, cycles }, tx).ToDictionary(x => (x.Sub, x.Cycle), x => (x.Latest, x.UsageId));
    }

    /// <summary>Allowance used so far per (subscription, allowance, cycle).</summary>
    public static Dictionary<(long Sub, string Allowance, LocalDate Cycle), long> Used(NpgsqlTransaction tx, IReadOnlyCollection<long> subs) =>
        tx.Connection!.Query<(long Sub, string Allowance, LocalDate Cycle, long Used)>("""
            SELECT subscription_id, allowance_id, cycle_start, used FROM allowance_balances WHERE subscription_id = ANY(@subs)
            """, new { subs = subs.ToArray() }, tx).ToDictionary(x => (x.Sub, x.Allowance, x.Cycle), x => x.Used);

    /// <summary>Bundles bought per (subscription, cycle), in the order they were bought: (moment, allowance id, amount).</summary>
    public static Dictionary<(long Sub, LocalDate Cycle), List<(Instant At, string Allowance, long Amount)>> Purchases(NpgsqlTransaction tx, IReadOnlyCollection<long> subs)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var result = new Dictionary<(long, LocalDate), List<(Instant, string, long)>>();
        foreach (var p in tx.Connection!.Query<(long Sub, LocalDate Cycle, Instant At, string Allowance, long Amount)>("""
            SELECT subscription_id, cycle_start, bought_at, allowance_id, amount FROM allowance_purchases
            WHERE subscription_id = ANY(@subs) ORDER BY subscription_id, cycle_start, bought_at, id
            """, new { subs = subs.ToArray() }, tx))
        {
            if (!result.TryGetValue((p.Sub, p.Cycle), out var list))
            {
                result[(p.Sub, p.Cycle)] = list = [];
            }

            list.Add((p.At, p.Allowance, p.Amount));
        }

        return result;
    }

    /// <summary>
    /// For a late batch: takes back the not-invoiced charges of a subscription's cycle so they are
    /// rated again in event-time order with this batch; returns those usage records. Invoiced charges stay.
    /// </summary>
    public static IReadOnlyList<RatingCandidate> TakeBackCycle(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        var conn = tx.Connection!;
        var ids = conn.Query<long>($"""
            DELETE FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND NOT {IsInvoiced} RETURNING r.usage_id
            """, new { sub, cycle }, tx).ToArray();
        // The taken-back records belong to the subscription they were rated under, whatever was imported since.
        conn.Execute("""
            UPDATE allowance_balances b SET used = coalesce((
                SELECT sum(r.allowance_used) FROM rated_charges r
                WHERE r.subscription_id = b.subscription_id AND r.cycle_start = b.cycle_start AND r.allowance_id = b.allowance_id), 0)
            WHERE b.subscription_id = @sub AND b.cycle_start = @cycle
            """, new { sub, cycle }, tx);
        return ids.Length == 0 ? [] : conn.Query<RatingCandidate>($"""
            SELECT {CandidateColumns} FROM usage u
            JOIN subscriptions s ON s.id = @sub
            JOIN accounts a ON a.id = s.account_id
            WHERE u.id = ANY(@ids)
            """, new { ids, sub }, tx).Select(u => u with { Retaken = true }).AsList();
    }

    /// <summary>The (subscription, cycle) pairs with charges for events in [from, to), optionally of one account.</summary>
    public static IReadOnlyList<(long Sub, LocalDate Cycle)> CyclesWithChargesIn(NpgsqlTransaction tx, Instant from, Instant to, string? account) =>
        tx.Connection!.Query<(long, LocalDate)>("""
            SELECT DISTINCT subscription_id, cycle_start FROM rated_charges
            WHERE start_utc >= @from AND start_utc < @to AND (@account::text IS NULL OR account_id = @account)
            ORDER BY 1, 2
            """, new { from, to, account }, tx).AsList();

    /// <summary>What each usage record of these cycles is billed at now: its charge plus any re-rating adjustments.</summary>
    public static Dictionary<long, (string Account, decimal Amount)> BilledAmounts(NpgsqlTransaction tx, IReadOnlyList<(long Sub, LocalDate Cycle)> keys) =>
        tx.Connection!.Query<(long UsageId, string Account, decimal Amount)>("""
            SELECT r.usage_id, r.account_id, r.amount + coalesce((SELECT sum(a.delta) FROM rerate_adjustments a WHERE a.usage_id = r.usage_id), 0)
            FROM rated_charges r JOIN unnest(@subs, @cycles) AS k(sub, cycle) ON r.subscription_id = k.sub AND r.cycle_start = k.cycle
            """, new { subs = keys.Select(k => k.Sub).ToArray(), cycles = keys.Select(k => k.Cycle.ToDateOnly()).ToArray() }, tx)
            .ToDictionary(x => x.UsageId, x => (x.Account, x.Amount));

    /// <summary>A charge already on an issued invoice: never replaced; a re-rate records the difference.</summary>
    public sealed record InvoicedCharge(RatingCandidate Usage, LocalDate Cycle, long InvoiceId, string Currency, string? AllowanceId, long AllowanceUsed, decimal BilledAmount);

    public static IReadOnlyList<InvoicedCharge> InvoicedCharges(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        var rows = tx.Connection!.Query<(long UsageId, long InvoiceId, string Currency, string? AllowanceId, long AllowanceUsed, decimal Billed)>($"""
            SELECT r.usage_id,
                   coalesce(r.invoice_id, (SELECT ic.invoice_id FROM invoiced_cycles ic WHERE ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start)),
                   r.currency, r.allowance_id, r.allowance_used,
                   r.amount + coalesce((SELECT sum(a.delta) FROM rerate_adjustments a WHERE a.usage_id = r.usage_id), 0)
            FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND {IsInvoiced}
            """, new { sub, cycle }, tx).ToDictionary(x => x.UsageId);
        if (rows.Count == 0)
        {
            return [];
        }

        return tx.Connection!.Query<RatingCandidate>($"""
            SELECT {CandidateColumns} FROM usage u JOIN subscriptions s ON s.id = @sub JOIN accounts a ON a.id = s.account_id
            WHERE u.id = ANY(@ids)
            """, new { ids = rows.Keys.ToArray(), sub }, tx)
            .Select(u => rows[u.Id] is var r ? new InvoicedCharge(u, cycle, r.InvoiceId, r.Currency, r.AllowanceId, r.AllowanceUsed, r.Billed) : null!)
            .ToList();
    }

    public static void InsertAdjustments(NpgsqlTransaction tx, IReadOnlyList<(InvoicedCharge Charge, decimal NewAmount, int CatalogVersion)> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        tx.Connection!.Execute("""
            INSERT INTO rerate_adjustments (usage_id, account_id, invoice_id, old_amount, new_amount, delta, currency, catalog_version)
            SELECT * FROM unnest(@usage, @accounts, @invoices, @olds, @news, @deltas, @currencies, @versions)
            """, new
        {
            usage = rows.Select(r => r.Charge.Usage.Id).ToArray(),
            accounts = rows.Select(r => r.Charge.Usage.AccountId!).ToArray(),
            invoices = rows.Select(r => r.Charge.InvoiceId).ToArray(),
            olds = rows.Select(r => r.Charge.BilledAmount).ToArray(),
            news = rows.Select(r => r.NewAmount).ToArray(),
            deltas = rows.Select(r => r.NewAmount - r.Charge.BilledAmount).ToArray(),
            currencies = rows.Select(r => r.Charge.Currency).ToArray(),
            versions = rows.Select(r => r.CatalogVersion).ToArray(),
        }, tx);
    }

    /// <summary>Blocks until this session holds every subscriber partition (a re-rate waits for running rating).</summary>
    public static void LockAllPartitions(NpgsqlConnection conn)
    {
        for (var p = 0; p < Partitions; p++)
        {
            conn.Execute("SELECT pg_advisory_lock(@space, @p)", new { space = PartitionLockSpace, p });
        }
    }

    public static void UnlockAllPartitions(NpgsqlConnection conn)
    {
        for (var p = 0; p < Partitions; p++)
        {
            ReleasePartition(conn, p);
        }
    }

    /// <summary>
    /// Blocks until this session shares every subscriber partition: rating (which claims a partition
    /// exclusively) and re-rating are held off, but other sharers — bill-run approvals of other batches —
    /// are not, so batches are approved side by side.
    /// </summary>
    public static void ShareAllPartitions(NpgsqlConnection conn)
    {
        for (var p = 0; p < Partitions; p++)
        {
            conn.Execute("SELECT pg_advisory_lock_shared(@space, @p)", new { space = PartitionLockSpace, p });
        }
    }

    public static void UnshareAllPartitions(NpgsqlConnection conn)
    {
        for (var p = 0; p < Partitions; p++)
        {
            conn.Execute("SELECT pg_advisory_unlock_shared(@space, @p)", new { space = PartitionLockSpace, p });
        }
    }

    /// <summary>Writes charges by binary COPY (late when their account cycle is invoiced already) and clears any hold on them.</summary>
    public static void InsertCharges(NpgsqlTransaction tx, IReadOnlyList<ChargeRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var conn = tx.Connection!;
        var invoiced = InvoicedCycles(tx, rows.Select(r => (r.Usage.AccountId!, r.CycleStart)));
        using (var copy = conn.BeginBinaryImport("""
            COPY rated_charges (usage_id, subscription_id, account_id, cycle_start, start_utc, plan_id, catalog_version, amount,
                                currency, destination_group, matched_prefix, quantity, billed_quantity, allowance_id,
                                allowance_used, explanation, service, late)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var r in rows)
            {
                var c = r.Charge;
                copy.StartRow();
                copy.Write(r.Usage.Id, NpgsqlDbType.Bigint);
                copy.Write(r.Usage.SubId!.Value, NpgsqlDbType.Bigint);
                copy.Write(r.Usage.AccountId!, NpgsqlDbType.Text);
                copy.Write(r.CycleStart, NpgsqlDbType.Date);
                copy.Write(r.Usage.StartUtc, NpgsqlDbType.TimestampTz);
                copy.Write(c.PlanId, NpgsqlDbType.Text);
                copy.Write(r.CatalogVersion, NpgsqlDbType.Integer);
                copy.Write(c.Amount, NpgsqlDbType.Numeric);
                copy.Write(c.Currency, NpgsqlDbType.Char);
                WriteNullable(copy, c.DestinationGroup);
                WriteNullable(copy, c.MatchedPrefix);
                copy.Write(c.Quantity, NpgsqlDbType.Bigint);
                copy.Write(c.BilledQuantity, NpgsqlDbType.Bigint);
                WriteNullable(copy, c.AllowanceId);
                copy.Write(c.AllowanceUsed, NpgsqlDbType.Bigint);
                copy.Write(Explain(c), NpgsqlDbType.Json);
                copy.Write(r.Usage.Service, NpgsqlDbType.Smallint);
                copy.Write(invoiced.Count > 0 && invoiced.Contains((r.Usage.AccountId!, r.CycleStart)), NpgsqlDbType.Boolean);
            }

            copy.Complete();
        }

        // Only records read with a hold (or not read by the candidate query) can have one to clear.
        var ids = rows.Where(r => r.Usage.MayBeHeld).Select(r => r.Usage.Id).ToArray();
        if (ids.Length > 0)
        {
            conn.Execute("DELETE FROM rating_holds WHERE usage_id = ANY(@ids)", new { ids }, tx);
        }
    }

    /// <summary>
    /// Which of these account cycles an issued invoice has billed already (invoiced_cycles): a charge
    /// rated for one of them is late, billed by the next invoice as late usage. Usually none.
    /// </summary>
    public static HashSet<(string Account, LocalDate Cycle)> InvoicedCycles(NpgsqlTransaction tx, IEnumerable<(string Account, LocalDate Cycle)> keys)
    {
        var distinct = keys.Distinct().ToList();
        return tx.Connection!.Query<(string, LocalDate)>("""
            SELECT i.account_id, i.cycle_start FROM invoiced_cycles i JOIN unnest(@accounts, @cycles) AS k(account, cycle)
            ON i.account_id = k.account AND i.cycle_start = k.cycle
            """, new { accounts = distinct.Select(k => k.Account).ToArray(), cycles = distinct.Select(k => k.Cycle.ToDateOnly()).ToArray() }, tx).ToHashSet();
    }

    /// <summary>
    /// The SQL condition "this charge (alias r) is invoiced": billed by an issued invoice with its whole
    /// account cycle (invoiced_cycles), unless rated after that (late); a late one once its own
    /// invoice_id is set. Invoiced charges are never taken back or replaced.
    /// </summary>
    public const string IsInvoiced = """
        (r.invoice_id IS NOT NULL OR (NOT r.late AND EXISTS (
            SELECT 1 FROM invoiced_cycles ic WHERE ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start)))
        """;

    public static void SaveBalances(NpgsqlTransaction tx, IEnumerable<(long Sub, string Allowance, LocalDate Cycle, long Granted, long Used)> balances)
    {
        var list = balances.ToList();
        if (list.Count == 0)
        {
            return;
        }

        tx.Connection!.Execute("""
            INSERT INTO allowance_balances (subscription_id, allowance_id, cycle_start, granted, used)
            SELECT * FROM unnest(@subs, @allowances, @cycles, @granted, @used)
            ON CONFLICT (subscription_id, allowance_id, cycle_start) DO UPDATE SET granted = EXCLUDED.granted, used = EXCLUDED.used
            """, new
        {
            subs = list.Select(b => b.Sub).ToArray(),
            allowances = list.Select(b => b.Allowance).ToArray(),
            cycles = list.Select(b => b.Cycle.ToDateOnly()).ToArray(),
            granted = list.Select(b => b.Granted).ToArray(),
            used = list.Select(b => b.Used).ToArray(),
        }, tx);
    }

    public static void Hold(NpgsqlTransaction tx, IReadOnlyList<(long UsageId, string Reason, string Detail)> holds, int? catalogVersion)
    {
        if (holds.Count == 0)
        {
            return;
        }

        tx.Connection!.Execute("""
            INSERT INTO rating_holds (usage_id, reason, detail, catalog_version)
            SELECT id, reason, detail, @catalogVersion FROM unnest(@ids, @reasons, @details) AS h(id, reason, detail)
            ON CONFLICT (usage_id) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                catalog_version = EXCLUDED.catalog_version, last_tried_at = now(), attempts = rating_holds.attempts + 1
            """, new
        {
            ids = holds.Select(h => h.UsageId).ToArray(),
            reasons = holds.Select(h => h.Reason).ToArray(),
            details = holds.Select(h => h.Detail).ToArray(),
            catalogVersion,
        }, tx);
    }

    public static IReadOnlyList<(string Reason, long Count, string Example)> HoldsByReason(NpgsqlConnection conn) =>
        conn.Query<(string, long, string)>("SELECT reason, count(*), min(detail) FROM rating_holds GROUP BY reason ORDER BY count(*) DESC").AsList();

    /// <summary>
    /// How the charge was priced, as compact JSON written by hand (this runs once per record):
    /// connect fee, raw cost, flags, and per part [start, offset, billed, timing, rate, step, allowance, cost].
    /// </summary>
    public static string Explain(RatedCharge c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = t_explain ??= new System.Text.StringBuilder(256);
        sb.Clear();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        sb.Append(inv, $"{{\"connectFee\":{c.ConnectFee},\"rawCost\":{c.RawCost}");
        if (c.MinimumApplied)
        {
            sb.Append(",\"minimumApplied\":true");
        }

        if (c.Capped)
        {
            sb.Append(",\"capped\":true");
        }

        if (c.DisconnectReached)
        {
            sb.Append(",\"disconnectReached\":true");
        }

        sb.Append(",\"parts\":[");
        Span<char> at = stackalloc char[40];
        for (var i = 0; i < c.Parts.Count; i++)
        {
            var p = c.Parts[i];
            sb.Append(i == 0 ? "[\"" : ",[\"").Append(at[..FormatInstant(p.Start, at)]).Append("\",");
            sb.Append(inv, $"{p.Offset},{p.BilledQuantity},");
            AppendString(sb, p.TimingId);
            sb.Append(',');
            AppendString(sb, p.RateId);
            sb.Append(inv, $",{p.StepIndex},{p.AllowanceQuantity},{p.Cost}]");
        }

        return sb.Append("]}").ToString();
    }

    [ThreadStatic]
    private static System.Text.StringBuilder? t_explain;

    /// <summary>Writes an instant as the pattern uuuu-MM-dd'T'HH:mm:ss;FFFFFFFFF'Z' does (fraction without trailing zeros, none if zero).</summary>
    private static int FormatInstant(Instant instant, Span<char> dest)
    {
        var t = instant.InUtc();
        if (t.Year is < 0 or > 9999)
        {
            var s = instant.ToString("uuuu-MM-dd'T'HH:mm:ss;FFFFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
            s.AsSpan().CopyTo(dest);
            return s.Length;
        }

        Digits(dest, 0, t.Year, 4);
        dest[4] = '-';
        Digits(dest, 5, t.Month, 2);
        dest[7] = '-';
        Digits(dest, 8, t.Day, 2);
        dest[10] = 'T';
        Digits(dest, 11, t.Hour, 2);
        dest[13] = ':';
        Digits(dest, 14, t.Minute, 2);
        dest[16] = ':';
        Digits(dest, 17, t.Second, 2);
        var n = 19;
        var nanos = t.NanosecondOfSecond;
        if (nanos != 0)
        {
            var width = 9;
            while (nanos % 10 == 0)
            {
                nanos /= 10;
                width--;
            }

            dest[n++] = '.';
            Digits(dest, n, nanos, width);
            n += width;
        }

        dest[n++] = 'Z';
        return n;
    }

    private static void Digits(Span<char> dest, int at, int value, int width)
    {
        for (var i = at + width - 1; i >= at; i--)
        {
            dest[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static void AppendString(System.Text.StringBuilder sb, string value)
    {
        if (value.AsSpan().IndexOfAny("\"\\") < 0 && !value.Any(char.IsControl))
        {
            sb.Append('"').Append(value).Append('"');
        }
        else
        {
            sb.Append(JsonSerializer.Serialize(value));
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter c, string? value)
    {
        if (value is null)
        {
            c.WriteNull();
        }
        else
        {
            c.Write(value, NpgsqlDbType.Text);
        }
    }
}
