using Billing.Core.Rating;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Storage.Rating;

/// <summary>Rated usage of one account, plan and bill cycle: calls and their billed seconds, SMS, data bytes, allowance used, the amount.</summary>
public sealed record RatedCycle(string AccountId, string PlanId, LocalDate CycleStart, long Calls, long BilledSeconds, long Sms, long Bytes, long AllowanceUsed, Billing.Core.Money.Money Amount);

/// <summary>One rated charge as `billing charges list` shows it: the event, what was billed, the 6-decimal amount, and the invoice that billed it.</summary>
public sealed record AccountCharge(long UsageId, Instant Start, string Msisdn, short Service, string? DestinationGroup, string? MatchedPrefix,
    long Quantity, long BilledQuantity, long AllowanceUsed, decimal Amount, string Currency, bool Late, string? InvoiceNumber);

/// <summary>Rated charges (<c>rated_charges</c>): one per usage record, guaranteed by the database.</summary>
public static class ChargeStore
{
    /// <summary>Every account's rated usage per plan and bill cycle, in account, plan and cycle order.</summary>
    public static IReadOnlyList<RatedCycle> PerCycle(NpgsqlConnection conn) =>
        conn.Query<(string Account, string Plan, LocalDate Cycle, long Calls, long Seconds, long Sms, long Bytes, long Allowance, decimal Amount, string Currency)>("""
            SELECT r.account_id, r.plan_id, r.cycle_start,
                   count(*) FILTER (WHERE u.service = 1), coalesce(sum(r.billed_quantity) FILTER (WHERE u.service = 1), 0)::bigint,
                   count(*) FILTER (WHERE u.service = 2), coalesce(sum(r.quantity) FILTER (WHERE u.service = 3), 0)::bigint,
                   sum(r.allowance_used)::bigint, sum(r.amount), min(r.currency)
            FROM rated_charges r JOIN usage u ON u.id = r.usage_id
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """).Select(r => new RatedCycle(r.Account, r.Plan, r.Cycle, r.Calls, r.Seconds, r.Sms, r.Bytes, r.Allowance, Billing.Core.Money.Money.Of(r.Amount, r.Currency))).ToList();

    /// <summary>
    /// The subscription periods of every number the account has had: a charge is found by its subscription (the charges'
    /// index), and a number's period that moved to another account keeps the charges rated to this one.
    /// </summary>
    private const string OfItsNumbers = "SELECT o.id FROM subscriptions o WHERE o.msisdn IN (SELECT n.msisdn FROM subscriptions n WHERE n.account_id = @accountId)";

    /// <summary>
    /// The bill cycle start of <paramref name="accountId"/>'s cycle that holds <paramref name="day"/> (cycles are a month from
    /// their start), or, with no day, of its latest cycle with charges; null when it has none.
    /// </summary>
    public static LocalDate? CycleOf(NpgsqlConnection conn, string accountId, LocalDate? day) =>
        conn.QuerySingleOrDefault<LocalDate?>($$"""
            SELECT max(r.cycle_start) FROM rated_charges r
            WHERE r.subscription_id IN ({{OfItsNumbers}}) AND r.account_id = @accountId
              AND (@day::date IS NULL OR (r.cycle_start <= @day::date AND @day::date < (r.cycle_start + interval '1 month')::date))
            """, new { accountId, day });

    /// <summary>
    /// An account's rated charges of one bill cycle in event-time order, with the issued invoice that billed each: its cycle's
    /// (<c>invoiced_cycles</c>), or for a charge rated after that invoice (late) the next invoice that stamped it. Found through
    /// the account's subscriptions (the charges' index), never by scanning usage.
    /// </summary>
    public static IReadOnlyList<AccountCharge> OfCycle(NpgsqlConnection conn, string accountId, LocalDate cycleStart) =>
        conn.Query<AccountCharge>($$"""
            SELECT r.usage_id, r.start_utc AS start, s.msisdn, r.service, r.destination_group, r.matched_prefix, r.quantity, r.billed_quantity,
                   r.allowance_used, r.amount, r.currency, r.late,
                   CASE WHEN r.late THEN li.number ELSE ci.number END AS invoice_number
            FROM rated_charges r
            JOIN subscriptions s ON s.id = r.subscription_id
            LEFT JOIN invoiced_cycles ic ON ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start
            LEFT JOIN invoices ci ON ci.id = ic.invoice_id
            LEFT JOIN invoices li ON li.id = r.invoice_id AND li.status = 'issued'
            WHERE r.subscription_id IN ({{OfItsNumbers}}) AND r.account_id = @accountId AND r.cycle_start = @cycleStart
            ORDER BY r.start_utc, r.usage_id
            """, new { accountId, cycleStart }).AsList();

    /// <summary>
    /// Writes charges by binary COPY, each with how it was priced (<see cref="ChargeExplanation"/>) and
    /// marked late when an issued invoice has billed its account cycle already (<see cref="InvoicedCycles"/>).
    /// </summary>
    public static void Insert(NpgsqlTransaction tx, IReadOnlyList<RatedUsage> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var conn = tx.Connection!;
        var invoiced = InvoicedCycles(tx, rows.Select(r => (r.Usage.Subscriber!.AccountId, r.Cycle)));
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
                var subscriber = r.Usage.Subscriber!;
                copy.Write(r.Usage.Id, NpgsqlDbType.Bigint);
                copy.Write(subscriber.SubscriptionId, NpgsqlDbType.Bigint);
                copy.Write(subscriber.AccountId, NpgsqlDbType.Text);
                copy.Write(r.Cycle, NpgsqlDbType.Date);
                copy.Write(r.Usage.Start, NpgsqlDbType.TimestampTz);
                copy.Write(c.PlanId, NpgsqlDbType.Text);
                copy.Write(r.CatalogVersion, NpgsqlDbType.Integer);
                copy.Write(c.Amount, NpgsqlDbType.Numeric);
                copy.Write(c.Currency, NpgsqlDbType.Char);
                copy.WriteNullable(c.DestinationGroup);
                copy.WriteNullable(c.MatchedPrefix);
                copy.Write(c.Quantity, NpgsqlDbType.Bigint);
                copy.Write(c.BilledQuantity, NpgsqlDbType.Bigint);
                copy.WriteNullable(c.AllowanceId);
                copy.Write(c.AllowanceUsed, NpgsqlDbType.Bigint);
                copy.Write(ChargeExplanation.Json(c), NpgsqlDbType.Json);
                copy.Write((short)r.Usage.Service, NpgsqlDbType.Smallint);
                copy.Write(invoiced.Count > 0 && invoiced.Contains((subscriber.AccountId, r.Cycle)), NpgsqlDbType.Boolean);
            }

            copy.Complete();
        }
    }

    /// <summary>
    /// Which of these account cycles an issued invoice has billed already (invoiced_cycles): a charge
    /// rated for one of them is late, billed by the next invoice as late usage. Usually none.
    /// </summary>
    public static HashSet<(string Account, LocalDate Cycle)> InvoicedCycles(NpgsqlTransaction tx, IEnumerable<(string Account, LocalDate Cycle)> keys)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var distinct = keys.Distinct().ToList();
        return tx.Connection!.Query<(string, LocalDate)>("""
            SELECT i.account_id, i.cycle_start FROM invoiced_cycles i JOIN unnest(@accounts, @cycles) AS k(account, cycle)
            ON i.account_id = k.account AND i.cycle_start = k.cycle
            """, new { accounts = distinct.Select(k => k.Account).ToArray(), cycles = distinct.Select(k => k.Cycle.ToDateOnly()).ToArray() }, tx).ToHashSet();
    }

    /// <summary>
    /// The SQL condition "charge r is invoiced": an issued invoice billed its whole account cycle
    /// (invoiced_cycles) and it was rated before that (not late); or, late, its own invoice_id is set
    /// (the next invoice billed it as late usage). Invoiced charges are never taken back or replaced.
    /// </summary>
    public const string IsInvoiced = """
        (r.invoice_id IS NOT NULL OR (NOT r.late AND EXISTS (
            SELECT 1 FROM invoiced_cycles ic WHERE ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start)))
        """;

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

    /// <summary>
    /// Takes back the charges of a subscription's cycle that are on no invoice (so they are rated again,
    /// in event-time order); returns their usage ids. Invoiced charges stay. The allowance they used is
    /// given back by <see cref="AllowanceStore.Recount"/>.
    /// </summary>
    public static long[] TakeBack(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<long>($"""
            DELETE FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND NOT {IsInvoiced} RETURNING r.usage_id
            """, new { sub, cycle }, tx).ToArray();
    }

    /// <summary>The usage ids <see cref="TakeBack"/> would take back, read without taking them: what a re-rate prices again.</summary>
    public static long[] NotInvoiced(NpgsqlTransaction tx, long sub, LocalDate cycle)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<long>($"""
            SELECT r.usage_id FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND NOT {IsInvoiced}
            """, new { sub, cycle }, tx).ToArray();
    }
}
