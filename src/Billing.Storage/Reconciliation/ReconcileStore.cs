using System.Data;
using Billing.Core.Cycles;
using Billing.Core.Reconciliation;
using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Reconciliation;

/// <summary>Issued invoices and waiting drafts of the cycle, for the summary.</summary>
public sealed record CycleInvoiceCounts(long Issued, long DraftsWaiting);

/// <summary>
/// The reads of `billing reconcile` for the cycles ending on one date (accounts whose cycle day is
/// its day): each link of the chain as rows the pure checks decide on. Heavy reads run with no
/// command timeout; the big ones stream. Run them inside <see cref="Snapshot"/> so every link is
/// seen at one moment, whatever ingest, rating or a bill run do meanwhile.
/// </summary>
public static class ReconcileStore
{
    /// <summary>How many examples of one kind of usage or charge problem are read to be named.</summary>
    public const int Examples = DifferenceLog.DefaultLimit;

    /// <summary>The destination group a usage line shows for a charge with none: the service's code, as the bill run names it.</summary>
    private static readonly string LineGroup = "coalesce(r.destination_group, CASE r.service "
        + string.Concat(Enum.GetValues<ServiceType>().Select(s => $"WHEN {(int)s} THEN '{s.Code()}' "))
        + "END)";

    /// <summary>A read-only transaction on one snapshot of the database.</summary>
    public static NpgsqlTransaction Snapshot(NpgsqlConnection conn)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var tx = conn.BeginTransaction(IsolationLevel.RepeatableRead);
        conn.Execute("SET TRANSACTION READ ONLY", transaction: tx);
        return tx;
    }

    public static ReconcileScope Scope(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var cycle = BillCycle.EndingOn(cycleEnd);
        var (postpaid, prepaid) = tx.Connection!.QuerySingle<(long, long)>("""
            SELECT count(*) FILTER (WHERE payment_type = 'postpaid'), count(*) FILTER (WHERE payment_type = 'prepaid')
            FROM accounts WHERE bill_cycle_day = @day
            """, new { day = cycleEnd.Day }, tx);
        return new ReconcileScope(cycle.Start, cycle.End, postpaid, prepaid);
    }

    /// <summary>
    /// Every archived file's manifest beside its usage and suspense rows (and the recycled ones among
    /// them), plus any file id that usage or suspense rows name but no archived manifest has. Streams.
    /// </summary>
    public static IEnumerable<FileTally> Files(NpgsqlTransaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<FileTally>("""
            WITH u AS (SELECT file_id, count(*) AS n FROM usage GROUP BY file_id),
                 s AS (SELECT file_id, count(*) AS n, count(*) FILTER (WHERE status = 'recycled' AND usage_id IS NOT NULL) AS recycled
                       FROM suspense GROUP BY file_id),
                 ids AS (SELECT id FROM cdr_files WHERE status = 'archived' UNION SELECT file_id FROM u UNION SELECT file_id FROM s)
            SELECT ids.id AS file_id, f.status, coalesce(f.source, '') AS source, coalesce(f.file_name, '') AS file_name,
                   coalesce(f.read_count, 0) AS read, coalesce(f.accepted, 0) AS accepted, coalesce(f.suspended, 0) AS suspended,
                   coalesce(f.duplicates, 0) AS duplicates, coalesce(f.filtered, 0) AS filtered,
                   coalesce(u.n, 0) AS usage_rows, coalesce(s.n, 0) AS suspense_rows, coalesce(s.recycled, 0) AS recycled_into_usage
            FROM ids LEFT JOIN cdr_files f ON f.id = ids.id LEFT JOIN u ON u.file_id = ids.id LEFT JOIN s ON s.file_id = ids.id
            ORDER BY ids.id
            """, transaction: tx, buffered: false, commandTimeout: 0);
    }

    /// <summary>Suspense rows recycled into a usage row that is not there, or names another file.</summary>
    public static IReadOnlyList<RecycledWithoutUsage> RecycledWithoutUsage(NpgsqlTransaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<RecycledWithoutUsage>("""
            SELECT s.id AS suspenseid, s.file_id AS fileid, s.usage_id AS usageid FROM suspense s
            WHERE s.status = 'recycled' AND s.usage_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.id = s.usage_id AND u.file_id = s.file_id)
            ORDER BY s.id
            """, transaction: tx, commandTimeout: 0).AsList();
    }

    /// <summary>
    /// The usage of the cycles by state, the examples of each problem (neither, both, held with no
    /// reason, and charges of the cycles whose usage record is not there), and how many such charges.
    /// A usage record is of the cycles when its charge is (rated: account and cycle of the charge), else
    /// when the subscriber's account at its time has the cycle day and its local time is in the cycle,
    /// else (no subscriber at the time) when it falls in the cycle's days in UTC.
    /// </summary>
    public static (IReadOnlyList<UsageCount> Counts, long ChargesWithoutUsage, IReadOnlyList<UsageExample> Examples) Usage(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var conn = tx.Connection!;
        var cycle = BillCycle.EndingOn(cycleEnd);
        var startUtc = Instant.FromUtc(cycle.Start.Year, cycle.Start.Month, cycle.Start.Day, 0, 0);
        var endUtc = Instant.FromUtc(cycle.End.Year, cycle.End.Month, cycle.End.Day, 0, 0);
        var args = new
        {
            day = cycleEnd.Day,
            c0 = cycle.Start,
            end = cycle.End,
            startUtc,
            endUtc,
            // Every zone's local cycle lies within a day of the UTC one.
            from = startUtc - Duration.FromDays(1),
            to = endUtc + Duration.FromDays(1),
            examples = Examples,
        };
        var rows = conn.Query<(string State, string? Reason, long Count, long[]? Examples)>("""
            WITH scope AS (SELECT id, time_zone FROM accounts WHERE bill_cycle_day = @day),
            w AS (
                SELECT u.id, u.msisdn, u.start_utc, r.account_id AS rated_account, r.cycle_start AS rated_cycle,
                       h.usage_id IS NOT NULL AS held, h.reason
                FROM usage u
                LEFT JOIN rated_charges r ON r.usage_id = u.id
                LEFT JOIN rating_holds h ON h.usage_id = u.id
                WHERE u.start_utc >= @from AND u.start_utc < @to),
            c AS (
                SELECT w.*,
                       CASE WHEN w.rated_account IS NOT NULL THEN w.rated_cycle = @c0 AND EXISTS (SELECT 1 FROM scope WHERE scope.id = w.rated_account)
                            WHEN sub.account_id IS NOT NULL THEN sc.id IS NOT NULL
                                 AND (w.start_utc AT TIME ZONE sc.time_zone)::date >= @c0 AND (w.start_utc AT TIME ZONE sc.time_zone)::date < @end
                            ELSE w.start_utc >= @startUtc AND w.start_utc < @endUtc END AS in_cycle
                FROM w
                LEFT JOIN LATERAL (
                    SELECT s.account_id FROM subscriptions s
                    WHERE w.rated_account IS NULL AND s.msisdn = w.msisdn AND s.active_from <= w.start_utc AND (s.active_to IS NULL OR s.active_to > w.start_utc)
                    LIMIT 1) sub ON true
                LEFT JOIN scope sc ON sc.id = sub.account_id),
            k AS (
                SELECT id, CASE WHEN rated_account IS NOT NULL AND held THEN 'both' WHEN rated_account IS NOT NULL THEN 'rated'
                                WHEN held THEN 'held' ELSE 'neither' END AS state,
                       CASE WHEN held THEN reason END AS reason
                FROM c WHERE in_cycle)
            SELECT state, reason, count(*),
                   (array_agg(id ORDER BY id) FILTER (WHERE state IN ('both', 'neither') OR (state = 'held' AND btrim(reason) = '')))[1:@examples]
            FROM k GROUP BY state, reason ORDER BY state, reason
            """, args, tx, commandTimeout: 0).AsList();
        var counts = rows.Select(r => new UsageCount(r.State, r.Reason, r.Count)).ToList();
        var ids = rows.SelectMany(r => r.Examples ?? []).ToArray();
        var examples = ids.Length == 0 ? new List<UsageExample>() : conn.Query<UsageExample>("""
            SELECT u.id AS usage_id, u.source || ':' || u.record_key AS record, u.msisdn, u.start_utc AS start,
                   coalesce(r.account_id, (SELECT s.account_id FROM subscriptions s WHERE s.msisdn = u.msisdn AND s.active_from <= u.start_utc
                                           AND (s.active_to IS NULL OR s.active_to > u.start_utc) LIMIT 1)) AS account,
                   CASE WHEN r.usage_id IS NOT NULL AND h.usage_id IS NOT NULL THEN 'both' WHEN h.usage_id IS NOT NULL THEN 'held' ELSE 'neither' END AS state,
                   h.reason
            FROM usage u LEFT JOIN rated_charges r ON r.usage_id = u.id LEFT JOIN rating_holds h ON h.usage_id = u.id
            WHERE u.id = ANY(@ids) ORDER BY u.id
            """, new { ids }, tx).AsList();

        var charges = conn.ExecuteScalar<long>("""
            SELECT count(*) FROM rated_charges r JOIN accounts a ON a.id = r.account_id AND a.bill_cycle_day = @day WHERE r.cycle_start = @c0
            """, args, tx, commandTimeout: 0);
        var withoutUsage = charges - counts.Where(c => c.State is UsageStates.Rated or UsageStates.Both).Sum(c => c.Count);
        if (withoutUsage > 0)
        {
            examples.AddRange(conn.Query<UsageExample>("""
                SELECT 'rated' AS state, r.usage_id, '' AS record, NULL AS msisdn, r.start_utc AS start, r.account_id AS account
                FROM rated_charges r JOIN accounts a ON a.id = r.account_id AND a.bill_cycle_day = @day
                WHERE r.cycle_start = @c0
                  AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.id = r.usage_id AND u.start_utc >= @from AND u.start_utc < @to)
                ORDER BY r.usage_id LIMIT @examples
                """, args, tx, commandTimeout: 0));
        }

        return (counts, Math.Max(0, withoutUsage), examples);
    }

    public static CycleInvoiceCounts Invoices(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.QuerySingle<CycleInvoiceCounts>("""
            SELECT count(*) FILTER (WHERE i.status = 'issued') AS issued,
                   count(*) FILTER (WHERE i.status = 'draft' AND NOT EXISTS (
                       SELECT 1 FROM invoices o WHERE o.account_id = i.account_id AND o.cycle_start = i.cycle_start AND o.status = 'issued')) AS drafts_waiting
            FROM invoices i JOIN accounts a ON a.id = i.account_id AND a.bill_cycle_day = @day
            WHERE i.cycle_start = @c0
            """, new { day = cycleEnd.Day, c0 = BillCycle.EndingOn(cycleEnd).Start }, tx);
    }

    /// <summary>Issued invoices of the cycle whose own cycle is not recorded in invoiced_cycles as billed by them.</summary>
    public static IReadOnlyList<UnrecordedCycle> UnrecordedCycles(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<UnrecordedCycle>("""
            SELECT i.number AS invoice, i.account_id AS accountid, i.cycle_start AS cycle, coalesce(ri.number, '#' || ic.invoice_id) AS recordedinvoice
            FROM invoices i JOIN accounts a ON a.id = i.account_id AND a.bill_cycle_day = @day
            LEFT JOIN invoiced_cycles ic ON ic.account_id = i.account_id AND ic.cycle_start = i.cycle_start
            LEFT JOIN invoices ri ON ri.id = ic.invoice_id
            WHERE i.status = 'issued' AND i.cycle_start = @c0 AND ic.invoice_id IS DISTINCT FROM i.id
            ORDER BY i.number
            """, new { day = cycleEnd.Day, c0 = BillCycle.EndingOn(cycleEnd).Start }, tx, commandTimeout: 0).AsList();
    }

    // The postpaid charges the reconcile looks at: those of the cycle, and those the cycle's own issued
    // invoices bill (earlier cycles no invoice had billed, late charges), each with the invoice that
    // bills it: a late charge the one it is marked with, any other the one recorded for its cycle.
    private static readonly string Charges = $$"""
        scope AS (SELECT id FROM accounts WHERE bill_cycle_day = @day AND payment_type = 'postpaid'),
        own AS (SELECT i.id FROM invoices i JOIN scope s ON s.id = i.account_id WHERE i.status = 'issued' AND i.cycle_start = @c0),
        ch AS (
            SELECT r.usage_id, r.account_id, r.cycle_start, r.late, r.subscription_id, r.plan_id, r.service, {{LineGroup}} AS destination_group,
                   r.currency, r.amount, ic.invoice_id AS cycle_invoice, r.invoice_id AS marked_invoice,
                   CASE WHEN r.late THEN r.invoice_id ELSE ic.invoice_id END AS billed_by
            FROM rated_charges r
            JOIN scope s ON s.id = r.account_id
            LEFT JOIN invoiced_cycles ic ON ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start
            WHERE r.cycle_start = @c0 OR ic.invoice_id IN (SELECT id FROM own) OR (r.late AND r.invoice_id IN (SELECT id FROM own)))
        """;

    /// <summary>
    /// Per issued invoice and line key (kind, cycle, subscription, plan, service, destination group):
    /// the usage and late-usage lines beside the charges the invoice bills, for the cycle's own issued
    /// invoices (every key) and the invoices billing the cycle's charges later (that cycle's keys). Streams.
    /// </summary>
    public static IEnumerable<LineTally> Lines(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<LineTally>($$"""
            WITH {{Charges}},
            expected AS (
                SELECT ch.billed_by AS invoice_id, CASE WHEN NOT ch.late AND ch.cycle_start = i.cycle_start THEN 'usage' ELSE 'late-usage' END AS kind,
                       ch.cycle_start AS cycle, ch.subscription_id, ch.plan_id, ch.service, ch.destination_group,
                       count(*) AS charges, sum(ch.amount) AS amount
                FROM ch JOIN invoices i ON i.id = ch.billed_by AND i.status = 'issued'
                GROUP BY 1, 2, 3, 4, 5, 6, 7),
            actual AS (
                SELECT l.invoice_id, l.kind, l.period_start AS cycle, l.subscription_id, l.plan_id, l.service, l.destination_group,
                       count(*) AS lines, sum(l.charge_count)::bigint AS line_charges, sum(l.exact_amount) AS line_amount, min(l.msisdn) AS msisdn
                FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id AND i.status = 'issued' JOIN scope s ON s.id = i.account_id
                WHERE l.kind IN ('usage', 'late-usage') AND (l.invoice_id IN (SELECT id FROM own) OR l.period_start = @c0)
                GROUP BY 1, 2, 3, 4, 5, 6, 7)
            SELECT i.number AS invoice, i.account_id, k.kind, k.cycle,
                   coalesce(k.msisdn, (SELECT s.msisdn FROM subscriptions s WHERE s.id = k.subscription_id)) AS msisdn,
                   k.plan_id, k.service, k.destination_group, i.currency,
                   coalesce(k.lines, 0) AS lines, coalesce(k.line_charges, 0) AS line_charges, coalesce(k.line_amount, 0) AS line_amount,
                   coalesce(k.charges, 0) AS charges, coalesce(k.amount, 0) AS charge_amount
            FROM (expected e FULL JOIN actual a USING (invoice_id, kind, cycle, subscription_id, plan_id, service, destination_group)) k
            JOIN invoices i ON i.id = k.invoice_id
            ORDER BY i.number, k.kind DESC, k.cycle, msisdn, k.service, k.destination_group
            """, new { day = cycleEnd.Day, c0 = BillCycle.EndingOn(cycleEnd).Start }, tx, buffered: false, commandTimeout: 0);
    }

    /// <summary>
    /// The same charges by where they stand (<see cref="ChargeStates"/>): billed (per currency, and per
    /// invoice when late), the others per account, cycle and invoices. Streams.
    /// </summary>
    public static IEnumerable<ChargeCount> ChargeStates(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<ChargeCount>($$"""
            WITH {{Charges}},
            x AS (
                SELECT ch.*, ci.number AS cycle_number, coalesce(mi.number, '#' || ch.marked_invoice) AS marked_number,
                       CASE WHEN NOT ch.late AND ch.cycle_invoice IS NOT NULL AND ch.marked_invoice IS NOT NULL THEN 'billed-twice'
                            WHEN NOT ch.late AND ch.cycle_invoice IS NOT NULL THEN 'billed'
                            WHEN NOT ch.late THEN 'not-billed'
                            WHEN ch.cycle_invoice IS NULL THEN 'late-of-uninvoiced-cycle'
                            WHEN ch.marked_invoice IS NULL THEN 'late-waiting'
                            WHEN mi.status IS DISTINCT FROM 'issued' THEN 'late-on-missing-invoice'
                            ELSE 'billed' END AS state
                FROM ch LEFT JOIN invoices ci ON ci.id = ch.cycle_invoice LEFT JOIN invoices mi ON mi.id = ch.marked_invoice)
            SELECT state,
                   CASE WHEN state <> 'billed' THEN account_id END AS account_id,
                   CASE WHEN state <> 'billed' THEN cycle_start END AS cycle,
                   CASE WHEN late OR state = 'billed-twice' THEN marked_number END AS invoice,
                   CASE WHEN state = 'billed-twice' THEN cycle_number END AS cycle_invoice,
                   currency, count(*) AS count, sum(amount) AS amount, min(usage_id) AS first_usage_id
            FROM x GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4
            """, new { day = cycleEnd.Day, c0 = BillCycle.EndingOn(cycleEnd).Start }, tx, buffered: false, commandTimeout: 0);
    }

    /// <summary>The cycle's issued invoices with the sums of their lines and taxes, their finest amounts and the amount due before them. Streams.</summary>
    public static IEnumerable<InvoiceFigures> Sums(NpgsqlTransaction tx, LocalDate cycleEnd)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<InvoiceFigures>("""
            SELECT i.number, i.account_id, i.currency, i.subtotal, i.tax, i.total, i.previous_balance, i.payments_and_credits, i.amount_due,
                   l.lines, coalesce(l.lines_sum, 0) AS lines_sum, coalesce(t.taxes_sum, 0) AS taxes_sum,
                   fl.line_no AS finest_line_no, fl.amount AS finest_line_amount, ft.category AS finest_tax_category, ft.amount AS finest_tax_amount,
                   coalesce((SELECT p.amount_due FROM invoices p WHERE p.account_id = i.account_id AND p.status = 'issued' AND p.cycle_start < i.cycle_start
                             ORDER BY p.cycle_start DESC LIMIT 1), 0) AS last_amount_due
            FROM invoices i JOIN accounts a ON a.id = i.account_id AND a.bill_cycle_day = @day
            CROSS JOIN LATERAL (SELECT count(*) AS lines, sum(amount) AS lines_sum FROM invoice_lines WHERE invoice_id = i.id) l
            CROSS JOIN LATERAL (SELECT sum(amount) AS taxes_sum FROM invoice_taxes WHERE invoice_id = i.id) t
            LEFT JOIN LATERAL (SELECT line_no, amount FROM invoice_lines WHERE invoice_id = i.id ORDER BY scale(trim_scale(amount)) DESC, line_no LIMIT 1) fl ON true
            LEFT JOIN LATERAL (SELECT category, amount FROM invoice_taxes WHERE invoice_id = i.id ORDER BY scale(trim_scale(amount)) DESC, category LIMIT 1) ft ON true
            WHERE i.status = 'issued' AND i.cycle_start = @c0
            ORDER BY i.number
            """, new { day = cycleEnd.Day, c0 = BillCycle.EndingOn(cycleEnd).Start }, tx, buffered: false, commandTimeout: 0);
    }
}
