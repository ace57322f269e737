using System.Text.Json;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

public sealed record BillRun
{
    public long Id { get; init; }
    public LocalDate RunDate { get; init; }
    public Instant CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public Instant? PlannedAt { get; init; }
}

/// <summary>A run with how many of its invoices are drafts and how many issued.</summary>
public sealed record BillRunSummary
{
    public long Id { get; init; }
    public LocalDate RunDate { get; init; }
    public Instant CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public long Drafts { get; init; }
    public long Issued { get; init; }
}

/// <summary>A batch as planned: its number and how many accounts it holds.</summary>
public sealed record PlannedBatch(long RunId, int BatchNo, int Accounts);

public sealed record BillRunBatch
{
    public long RunId { get; init; }
    public int BatchNo { get; init; }
    public string[] Accounts { get; init; } = [];
    public Instant? DraftedAt { get; init; }
    public Instant? ApprovedAt { get; init; }
}

/// <summary>One invoice of a run as its report shows it.</summary>
public sealed record RunInvoice
{
    public long Id { get; init; }
    public string AccountId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Number { get; init; }
    public string Currency { get; init; } = "";
    public decimal Subtotal { get; init; }
    public decimal Tax { get; init; }
    public decimal Total { get; init; }
    public decimal AmountDue { get; init; }
    public decimal? PreviousTotal { get; init; }
    public string Warnings { get; init; } = "";
    public string Errors { get; init; } = "";
    public bool ChangedSinceDraft { get; init; }
}

/// <summary>Bill runs and their batches of accounts.</summary>
public static class BillRunStore
{
    /// <summary>The run of a date, made the first time it is asked for.</summary>
    public static BillRun Ensure(NpgsqlConnection conn, LocalDate runDate, string by) =>
        conn.QuerySingle<BillRun>("""
            WITH made AS (
                INSERT INTO bill_runs (run_date, created_by) VALUES (@runDate, @by)
                ON CONFLICT (run_date) DO NOTHING
                RETURNING id, run_date, created_at, created_by, planned_at)
            SELECT * FROM made
            UNION ALL
            SELECT id, run_date, created_at, created_by, planned_at FROM bill_runs WHERE run_date = @runDate
            LIMIT 1
            """, new { runDate, by });

    /// <summary>A run by its id or its date (2026-12-01).</summary>
    public static BillRun? Find(NpgsqlConnection conn, string idOrDate)
    {
        ArgumentNullException.ThrowIfNull(idOrDate);
        var date = NodaTime.Text.LocalDatePattern.Iso.Parse(idOrDate);
        if (date.Success)
        {
            return conn.QuerySingleOrDefault<BillRun>("SELECT id, run_date, created_at, created_by, planned_at FROM bill_runs WHERE run_date = @d", new { d = date.Value });
        }

        return long.TryParse(idOrDate, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? conn.QuerySingleOrDefault<BillRun>("SELECT id, run_date, created_at, created_by, planned_at FROM bill_runs WHERE id = @id", new { id })
            : null;
    }

    public static IReadOnlyList<BillRun> List(NpgsqlConnection conn, int limit) =>
        conn.Query<BillRun>("SELECT id, run_date, created_at, created_by, planned_at FROM bill_runs ORDER BY run_date DESC LIMIT @limit", new { limit }).AsList();

    /// <summary>Runs, newest first, with their invoice counts (counted in the database, not read).</summary>
    public static IReadOnlyList<BillRunSummary> Summaries(NpgsqlConnection conn, int limit) =>
        conn.Query<BillRunSummary>("""
            SELECT r.id, r.run_date, r.created_at, r.created_by,
                   (SELECT count(*) FROM invoices i WHERE i.run_id = r.id AND i.status = 'draft') AS drafts,
                   (SELECT count(*) FROM invoices i WHERE i.run_id = r.id AND i.status = 'issued') AS issued
            FROM bill_runs r ORDER BY r.run_date DESC LIMIT @limit
            """, new { limit }).AsList();

    /// <summary>
    /// The account <c>a.id</c> is not billed for the cycle starting <c>@cycleStart</c>: no issued invoice for it yet, and no
    /// invoice that billed it or a later cycle — a skipped date's run made after the next invoice would bill that invoice's
    /// charges again and break the chain of balances. The plan's rule, and a draft batch's again when it runs.
    /// </summary>
    internal const string NotBilled = """
        NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.cycle_start = @cycleStart AND i.status = 'issued')
        AND NOT EXISTS (SELECT 1 FROM invoiced_cycles c WHERE c.account_id = a.id AND c.cycle_start >= @cycleStart)
        """;

    // The accounts a run on @day's date bills: cycle day = the date's day, not billed for the cycle (optionally only one account).
    private const string Eligible = $"""
        a.bill_cycle_day = @day AND (@account::text IS NULL OR a.id = @account)
        AND {NotBilled}
        """;

    /// <summary>The time zones of the accounts a run on <paramref name="runDate"/> bills (a few, whatever the number of accounts).</summary>
    public static IReadOnlyList<string> EligibleZones(NpgsqlConnection conn, LocalDate runDate, LocalDate cycleStart, string? account) =>
        conn.Query<string>($"SELECT DISTINCT a.time_zone FROM accounts a WHERE {Eligible} ORDER BY 1",
            new { day = runDate.Day, cycleStart, account }, commandTimeout: 0).AsList();

    /// <summary>The accounts a run on <paramref name="runDate"/> bills in these time zones, in id order.</summary>
    public static IReadOnlyList<string> EligibleAccounts(NpgsqlConnection conn, LocalDate runDate, LocalDate cycleStart, string? account, IReadOnlyCollection<string> zones) =>
        zones.Count == 0 ? [] : conn.Query<string>($"SELECT a.id FROM accounts a WHERE {Eligible} AND a.time_zone = ANY(@zones) ORDER BY a.id",
            new { day = runDate.Day, cycleStart, account, zones = zones.ToArray() }, commandTimeout: 0).AsList();

    /// <summary>
    /// Splits the accounts the run bills in <paramref name="zones"/> (those whose cycle has ended) into the
    /// run's batches of <paramref name="batchSize"/> in id order, in the database, replacing its earlier
    /// ones (the accounts still to bill are all in the new plan: an issued account is not eligible any
    /// more). Returns each batch's number and size: the accounts stay in the database, so planning a
    /// million accounts takes no more memory than a thousand.
    /// </summary>
    public static IReadOnlyList<PlannedBatch> Plan(NpgsqlConnection conn, long runId, LocalDate runDate, LocalDate cycleStart, string? account,
        IReadOnlyCollection<string> zones, int batchSize, IReadOnlyDictionary<string, long> unrated)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var tx = conn.BeginTransaction();
        conn.Execute("SELECT id FROM bill_runs WHERE id = @runId FOR UPDATE", new { runId }, tx);
        conn.Execute("DELETE FROM bill_run_batches WHERE run_id = @runId", new { runId }, tx);
        var batches = conn.Query<PlannedBatch>($"""
            INSERT INTO bill_run_batches (run_id, batch_no, accounts)
            SELECT @runId, (n - 1) / @batchSize + 1, array_agg(id ORDER BY n)
            FROM (SELECT a.id, row_number() OVER (ORDER BY a.id) AS n FROM accounts a WHERE {Eligible} AND a.time_zone = ANY(@zones)) x
            GROUP BY (n - 1) / @batchSize + 1
            RETURNING run_id AS runid, batch_no AS batchno, cardinality(accounts) AS accounts
            """, new { runId, day = runDate.Day, cycleStart, account, zones = zones.ToArray(), batchSize }, tx, commandTimeout: 0)
            .OrderBy(b => b.BatchNo).ToList();
        conn.Execute("""
            UPDATE bill_runs SET planned_at = now(), approval_requested_at = NULL, unrated = @unrated::jsonb,
                planned_after_issue = planned_after_issue OR EXISTS (SELECT 1 FROM invoices WHERE run_id = @runId AND status = 'issued')
            WHERE id = @runId
            """,
            new { runId, unrated = JsonSerializer.Serialize(unrated) }, tx);
        tx.Commit();
        return batches;
    }

    /// <summary>The earliest date any bill run was made for (null before the first), and the dates from <paramref name="from"/> on that have one.</summary>
    public static (LocalDate? First, IReadOnlySet<LocalDate> Since) RunDates(NpgsqlConnection conn, LocalDate from) =>
        (conn.ExecuteScalar<LocalDate?>("SELECT min(run_date) FROM bill_runs"),
         conn.Query<LocalDate>("SELECT run_date FROM bill_runs WHERE run_date >= @from", new { from }).ToHashSet());

    /// <summary>The numbers of the run's batches, in order (not their accounts).</summary>
    public static IReadOnlyList<int> BatchNumbers(NpgsqlConnection conn, long runId) =>
        conn.Query<int>("SELECT batch_no FROM bill_run_batches WHERE run_id = @runId ORDER BY batch_no", new { runId }).AsList();

    public static IReadOnlyList<BillRunBatch> Batches(NpgsqlConnection conn, long runId) =>
        conn.Query<BillRunBatch>("""
            SELECT run_id, batch_no, accounts, drafted_at, approved_at FROM bill_run_batches WHERE run_id = @runId ORDER BY batch_no
            """, new { runId }).AsList();

    /// <summary>The batch, locked; null when the run has no such batch any more (planned again since, into fewer batches).</summary>
    public static BillRunBatch? LockBatch(NpgsqlTransaction tx, long runId, int batchNo) =>
        tx.Connection!.QuerySingleOrDefault<BillRunBatch>("""
            SELECT run_id, batch_no, accounts, drafted_at, approved_at FROM bill_run_batches WHERE run_id = @runId AND batch_no = @batchNo FOR UPDATE
            """, new { runId, batchNo }, tx);

    /// <summary>Whether the run was planned again after it had issued invoices (<c>bill_runs.planned_after_issue</c>).</summary>
    public static bool PlannedAfterIssue(NpgsqlConnection conn, long runId) =>
        conn.ExecuteScalar<bool>("SELECT coalesce((SELECT planned_after_issue FROM bill_runs WHERE id = @runId), false)", new { runId });

    public static void MarkDrafted(NpgsqlTransaction tx, long runId, int batchNo) =>
        tx.Connection!.Execute("UPDATE bill_run_batches SET drafted_at = now() WHERE run_id = @runId AND batch_no = @batchNo", new { runId, batchNo }, tx);

    public static void MarkApproved(NpgsqlTransaction tx, long runId, int batchNo) =>
        tx.Connection!.Execute("UPDATE bill_run_batches SET approved_at = now() WHERE run_id = @runId AND batch_no = @batchNo", new { runId, batchNo }, tx);

    /// <summary>
    /// True once, for the caller that finds every batch drafted first: it then asks for the approval
    /// (the daily run with auto-approval), so the approval is requested exactly once per plan. The run's
    /// row stays locked until <paramref name="tx"/> ends, so the caller commits once it has asked; rolled
    /// back (the caller died before asking), the next caller that finds every batch drafted claims it.
    /// </summary>
    public static bool ClaimApproval(NpgsqlTransaction tx, long runId) =>
        tx.Connection!.ExecuteScalar<long?>("""
            UPDATE bill_runs SET approval_requested_at = now()
            WHERE id = @runId AND approval_requested_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM bill_run_batches WHERE run_id = @runId AND drafted_at IS NULL)
            RETURNING id
            """, new { runId }, tx) is not null;

    public static void ResetDrafted(NpgsqlConnection conn, long runId) =>
        conn.Execute("UPDATE bill_run_batches SET drafted_at = NULL WHERE run_id = @runId", new { runId });

    /// <summary>What the run knew, when planned, of usage in the closed cycles that was neither rated nor held.</summary>
    public static IReadOnlyDictionary<string, long> Unrated(NpgsqlConnection conn, long runId) =>
        JsonSerializer.Deserialize<Dictionary<string, long>>(conn.ExecuteScalar<string>("SELECT unrated::text FROM bill_runs WHERE id = @runId", new { runId }) ?? "{}")
        ?? [];

    /// <summary>
    /// Usage neither rated nor held in the cycle of each account the run bills, per account: the numbers'
    /// subscriptions at the time, each account's cycle given as instants per time zone
    /// (<paramref name="cycles"/>; the BRIN index on the event time narrows the read to the widest of them).
    /// </summary>
    public static IReadOnlyDictionary<string, long> UnratedUsage(NpgsqlConnection conn, LocalDate runDate, LocalDate cycleStart, string? account,
        IReadOnlyList<(string Zone, Instant From, Instant To)> cycles)
    {
        ArgumentNullException.ThrowIfNull(cycles);
        if (cycles.Count == 0)
        {
            return new Dictionary<string, long>(StringComparer.Ordinal);
        }

        var from = cycles.Min(c => c.From);
        var to = cycles.Max(c => c.To);
        using var tx = conn.BeginTransaction();
        conn.Execute("SET LOCAL jit = off", transaction: tx);
        if (EveryUsageIsRatedOrHeld(tx, from, to))
        {
            tx.Commit();
            return new Dictionary<string, long>(StringComparer.Ordinal);
        }

        // One read of a month of usage, compared with the charges whole: the usage ids of the window against
        // the charges' key in one merge or hash anti-join (about a second at 2 M records), not one probe of the
        // charges' key per record (2 M probes: six seconds and more). Only what is left — the unrated, usually
        // few — is then matched to its subscriber. Compiling the read (JIT) took a second and a half of eight
        // at 10 M records.
        conn.Execute("SET LOCAL enable_nestloop = off", transaction: tx);
        var counts = conn.Query<(string Account, long Count)>($"""
            WITH unrated AS MATERIALIZED (
                SELECT u.id, u.msisdn, u.start_utc FROM usage u
                WHERE u.start_utc >= @from AND u.start_utc < @to
                  AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id)
                  AND NOT EXISTS (SELECT 1 FROM rating_holds h WHERE h.usage_id = u.id))
            SELECT s.account_id, count(*) FROM unrated u
            JOIN subscriptions s ON s.msisdn = u.msisdn AND s.active_from <= u.start_utc AND (s.active_to IS NULL OR s.active_to > u.start_utc)
            JOIN accounts a ON a.id = s.account_id
            JOIN unnest(@zones, @froms, @tos) AS z(zone, f, t) ON z.zone = a.time_zone AND u.start_utc >= z.f AND u.start_utc < z.t
            WHERE {Eligible}
            GROUP BY s.account_id
            """, new
        {
            day = runDate.Day,
            cycleStart,
            account,
            zones = cycles.Select(c => c.Zone).ToArray(),
            froms = cycles.Select(c => c.From).ToArray(),
            tos = cycles.Select(c => c.To).ToArray(),
            from,
            to,
        }, tx, commandTimeout: 0).ToDictionary(c => c.Account, c => c.Count, StringComparer.Ordinal);
        tx.Commit();
        return counts;
    }

    /// <summary>
    /// Whether every usage record of [<paramref name="from"/>, <paramref name="to"/>) has a charge or a hold, told by
    /// counting (a fifth of the anti-join's time at 2 M records): each charge is of one usage record and carries its
    /// event time, as each hold does, so when the window's usage numbers exactly its charges plus its held records that have no charge,
    /// none is left unrated. Any other count — more usage, or fewer — sends the caller to the exact read.
    /// </summary>
    private static bool EveryUsageIsRatedOrHeld(NpgsqlTransaction tx, Instant from, Instant to) =>
        tx.Connection!.QuerySingle<bool>("""
            SELECT (SELECT count(*) FROM usage u WHERE u.start_utc >= @from AND u.start_utc < @to)
                 = (SELECT count(*) FROM rated_charges r WHERE r.start_utc >= @from AND r.start_utc < @to)
                 + (SELECT count(*) FROM rating_holds h
                    WHERE h.start_utc >= @from AND h.start_utc < @to AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = h.usage_id))
            """, new { from, to }, tx);

    /// <summary>The run's invoices with the figures of its report.</summary>
    public static IReadOnlyList<RunInvoice> Invoices(NpgsqlConnection conn, long runId) =>
        conn.Query<RunInvoice>("""
            SELECT i.id, i.account_id, a.name, i.status, i.number, i.currency, i.subtotal, i.tax, i.total, i.amount_due, i.previous_total,
                   i.warnings::text AS warnings, i.errors::text AS errors, i.changed_since_draft
            FROM invoices i JOIN accounts a ON a.id = i.account_id
            WHERE i.run_id = @runId ORDER BY i.account_id
            """, new { runId }).AsList();
}
