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

/// <summary>
/// A stored charge with its usage record as rating read it (<see cref="UsageToRate.Request"/> is what was priced), the
/// record's source and key, the account (prepaid: paid from its wallet) and the invoice that billed the charge, if any.
/// </summary>
public sealed record ChargeOfUsage(UsageToRate Usage, string Source, string RecordKey, long SubscriptionId, string AccountId, bool Prepaid,
    LocalDate CycleStart, bool Late, string? InvoiceNumber, StoredRating Rating);

/// <summary>Rated charges (<c>rated_charges</c>): one per usage record, guaranteed by the database.</summary>
public static class ChargeStore
{
    /// <summary>Every account's rated usage per plan and bill cycle, in account, plan and cycle order.</summary>
    public static IReadOnlyList<RatedCycle> PerCycle(NpgsqlConnection conn) =>
        conn.Query<(string Account, string Plan, LocalDate Cycle, long Calls, long Seconds, long Sms, long Bytes, long Allowance, decimal Amount, string Currency)>("""
            SELECT r.account_id, r.plan_id, r.cycle_start,
                   count(*) FILTER (WHERE r.service = 1), coalesce(sum(r.billed_quantity) FILTER (WHERE r.service = 1), 0)::bigint,
                   count(*) FILTER (WHERE r.service = 2), coalesce(sum(r.quantity) FILTER (WHERE r.service = 3), 0)::bigint,
                   sum(r.allowance_used)::bigint, sum(r.amount), min(r.currency)
            FROM rated_charges r
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
    /// Writes charges by binary COPY, each with what it needs to be priced again (<see cref="CopyColumns"/>) and
    /// marked late when an issued invoice has billed its account cycle already (<see cref="InvoicedCycles"/>).
    /// </summary>
    public static void Insert(NpgsqlTransaction tx, IReadOnlyList<RatedUsage> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var conn = tx.Connection!;
        var invoiced = InvoicedCycles(tx, AccountCycles(rows));
        using var copy = BinaryCopyWriter.Begin(conn, CopyCommand);
        foreach (var r in rows)
        {
            var subscriber = r.Usage.Subscriber!;
            WriteRow(copy, r.Usage.Id, subscriber.SubscriptionId, subscriber.AccountId, r.Cycle, r.Usage.Start, r.CatalogVersion, r.Charge,
                r.Usage.Service, r.Usage.Destination, invoiced.Count > 0 && invoiced.Contains((subscriber.AccountId, r.Cycle)));
        }

        copy.Complete();
    }

    /// <summary>
    /// The account cycles of <paramref name="rows"/>, each once per run of rows in it: rating lists a cycle's charges
    /// together, so the set of them is built from a few thousand keys, not one per charge.
    /// </summary>
    private static IEnumerable<(string Account, LocalDate Cycle)> AccountCycles(IReadOnlyList<RatedUsage> rows)
    {
        string? account = null;
        var cycle = default(LocalDate);
        foreach (var r in rows)
        {
            var a = r.Usage.Subscriber!.AccountId;
            if (!string.Equals(a, account, StringComparison.Ordinal) || r.Cycle != cycle)
            {
                (account, cycle) = (a, r.Cycle);
                yield return (a, r.Cycle);
            }
        }
    }

    /// <summary>The COPY that <see cref="WriteRow"/> writes rows of (the bill-run benchmark writes its charges with it too).</summary>
    public const string CopyCommand = """
        COPY rated_charges (usage_id, subscription_id, account_id, cycle_start, start_utc, plan_id, catalog_version, amount,
                            currency, destination_group, matched_prefix, quantity, billed_quantity, allowance_id,
                            allowance_used, allowance_before, time_band, service, destination, late)
        FROM STDIN (FORMAT BINARY)
        """;

    private const short Columns = 20;

    /// <summary>
    /// One charge of a <see cref="CopyCommand"/>: the engine's result and the inputs that neither the usage record nor
    /// catalogue version <paramref name="catalogVersion"/> holds (plan, the allowance's balance before) — all
    /// <see cref="Billing.Core.Rating.ChargeExplainer"/> needs to compute its breakdown again — and the usage record's
    /// <paramref name="destination"/>: with start, service and quantity the charge holds its record as rating read it
    /// (<see cref="TakeBack"/>, the invoice annex), never looked up in usage by id.
    /// </summary>
    public static void WriteRow(BinaryCopyWriter copy, long usageId, long subscriptionId, string accountId, LocalDate cycle, Instant start,
        int catalogVersion, RatedCharge c, Billing.Core.Usage.ServiceType service, string? destination, bool late)
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(c);
        copy.StartRow(Columns);
        copy.Write(usageId);
        copy.Write(subscriptionId);
        copy.Write(accountId);
        copy.Write(cycle);
        copy.Write(start);
        copy.Write(c.PlanId);
        copy.Write(catalogVersion);
        copy.Write(c.Amount);
        copy.Write(c.Currency);
        copy.WriteNullable(c.DestinationGroup);
        copy.WriteNullable(c.MatchedPrefix);
        copy.Write(c.Quantity);
        copy.Write(c.BilledQuantity);
        copy.WriteNullable(c.AllowanceId);
        copy.Write(c.AllowanceUsed);
        copy.Write(c.AllowanceBefore);
        copy.WriteNullable(c.TimeBand);
        copy.Write((short)service);
        copy.WriteNullable(destination);
        copy.Write(late);
    }

    /// <summary>
    /// The stored charges of these usage records with their usage as rating read it, in usage id order (records
    /// with no charge are left out): what <see cref="Billing.Core.Rating.ChargeExplainer"/> prices again.
    /// </summary>
    public static IReadOnlyList<ChargeOfUsage> OfUsage(NpgsqlConnection conn, IReadOnlyCollection<long> usageIds)
    {
        ArgumentNullException.ThrowIfNull(usageIds);
        // The rating's columns, from catalog_version on, are read straight into the core's StoredRating. The ids are
        // given to usage too: its BRIN index on id then reads the block range of each, where the join alone read all of usage
        // (a hash join over a sequential scan, for 20 ids of 2,000,000 records).
        return conn.Query<ChargeRow, StoredRating, ChargeOfUsage>("""
            SELECT r.usage_id, u.msisdn, u.service, u.destination, u.start_utc, u.duration_s, u.volume_bytes, u.source, u.record_key,
                   r.subscription_id, r.account_id, a.payment_type, r.cycle_start, r.late,
                   CASE WHEN r.late THEN li.number ELSE ci.number END AS invoice_number,
                   r.catalog_version, r.plan_id, r.amount, r.currency, r.destination_group, r.matched_prefix, r.quantity, r.billed_quantity,
                   r.allowance_id, r.allowance_used, r.allowance_before, r.time_band
            FROM rated_charges r
            JOIN usage u ON u.id = r.usage_id
            JOIN accounts a ON a.id = r.account_id
            LEFT JOIN invoiced_cycles ic ON ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start
            LEFT JOIN invoices ci ON ci.id = ic.invoice_id
            LEFT JOIN invoices li ON li.id = r.invoice_id AND li.status = 'issued'
            WHERE r.usage_id = ANY(@ids) AND u.id = ANY(@ids)
            ORDER BY r.usage_id
            """, (r, rating) => new ChargeOfUsage(
                new UsageToRate(r.UsageId, r.Msisdn, (Billing.Core.Usage.ServiceType)r.Service, r.Destination, r.StartUtc, r.DurationS, r.VolumeBytes, null),
                r.Source, r.RecordKey, r.SubscriptionId, r.AccountId, r.PaymentType == "prepaid", r.CycleStart, r.Late, r.InvoiceNumber, rating),
            new { ids = usageIds.ToArray() }, splitOn: "catalog_version").AsList();
    }

    private sealed record ChargeRow
    {
        public long UsageId { get; init; }
        public string Msisdn { get; init; } = "";
        public short Service { get; init; }
        public string? Destination { get; init; }
        public Instant StartUtc { get; init; }
        public long DurationS { get; init; }
        public long VolumeBytes { get; init; }
        public string Source { get; init; } = "";
        public string RecordKey { get; init; } = "";
        public long SubscriptionId { get; init; }
        public string AccountId { get; init; } = "";
        public string PaymentType { get; init; } = "";
        public LocalDate CycleStart { get; init; }
        public bool Late { get; init; }
        public string? InvoiceNumber { get; init; }
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
    /// A charge a wallet paid (or its overdraft took) never is: a prepaid invoice bills the overdraft and fees, not
    /// usage — so a re-rate of it posts to the wallet (and its overdraft), not an invoice adjustment. That is told by
    /// the charge's own postings, not by the account's payment type now: an account turned prepaid keeps the usage its
    /// postpaid invoices billed as billed. A prepaid charge priced 0.00 has no posting: an invoice with no usage line
    /// (a prepaid one, which bills overdraft and fees) bills none of its cycle's usage, so it leaves that charge not invoiced too.
    /// </summary>
    public const string IsInvoiced = """
        (((r.invoice_id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM invoices i WHERE i.id = r.invoice_id
              AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id AND l.kind IN ('usage', 'late-usage'))))
          OR (NOT r.late AND EXISTS (
              SELECT 1 FROM invoiced_cycles ic WHERE ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start
              AND EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = ic.invoice_id AND l.kind IN ('usage', 'late-usage')))))
         AND NOT EXISTS (SELECT 1 FROM wallet_ledger wl WHERE wl.usage_id = r.usage_id AND wl.kind = 'usage')
         AND NOT EXISTS (SELECT 1 FROM prepaid_overdraft po WHERE po.usage_id = r.usage_id))
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
    /// in event-time order); returns their usage records as rated (<see cref="UsageToRate.Retaken"/>), read from
    /// the charges as they are deleted. Invoiced charges stay. The allowance they used is given back by
    /// <see cref="AllowanceStore.Recount"/>.
    /// </summary>
    public static List<UsageToRate> TakeBack(NpgsqlTransaction tx, long sub, LocalDate cycle) =>
        Retaken(UsageToRateStore.OfCharges(tx, sub, cycle, $"""
            DELETE FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND NOT {IsInvoiced} RETURNING r.*
            """));

    /// <summary>The usage records <see cref="TakeBack"/> would take back, read without taking them: what a re-rate prices again.</summary>
    public static List<UsageToRate> NotInvoiced(NpgsqlTransaction tx, long sub, LocalDate cycle) =>
        Retaken(UsageToRateStore.OfCharges(tx, sub, cycle, $"""
            SELECT r.* FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND NOT {IsInvoiced}
            """));

    /// <summary>The usage records of a subscription's invoiced charges of a cycle, as rated.</summary>
    public static List<UsageToRate> Invoiced(NpgsqlTransaction tx, long sub, LocalDate cycle) =>
        UsageToRateStore.OfCharges(tx, sub, cycle, $"""
            SELECT r.* FROM rated_charges r WHERE r.subscription_id = @sub AND r.cycle_start = @cycle AND {IsInvoiced}
            """);

    private static List<UsageToRate> Retaken(List<UsageToRate> usage) => usage.ConvertAll(u => u with { Retaken = true });
}
