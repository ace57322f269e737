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

    /// <summary>
    /// The accounts a run on <paramref name="runDate"/> bills: cycle day = the date's day, no issued
    /// invoice for the cycle starting <paramref name="cycleStart"/> yet (optionally only one account).
    /// </summary>
    public static IReadOnlyList<string> EligibleAccounts(NpgsqlConnection conn, LocalDate runDate, LocalDate cycleStart, string? account) =>
        conn.Query<string>("""
            SELECT a.id FROM accounts a
            WHERE a.bill_cycle_day = @day AND (@account::text IS NULL OR a.id = @account)
              AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.cycle_start = @cycleStart AND i.status = 'issued')
            ORDER BY a.id
            """, new { day = runDate.Day, cycleStart, account }).AsList();

    /// <summary>
    /// Splits the accounts into the run's batches, replacing its earlier ones (the accounts still to
    /// bill are all in the new plan: an issued account is not eligible any more).
    /// </summary>
    public static IReadOnlyList<BillRunBatch> Plan(NpgsqlConnection conn, long runId, IReadOnlyList<string> accounts, int batchSize, IReadOnlyDictionary<string, long> unrated)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var tx = conn.BeginTransaction();
        conn.Execute("SELECT id FROM bill_runs WHERE id = @runId FOR UPDATE", new { runId }, tx);
        conn.Execute("DELETE FROM bill_run_batches WHERE run_id = @runId", new { runId }, tx);
        var batches = accounts.Chunk(batchSize).Select((chunk, i) => new BillRunBatch { RunId = runId, BatchNo = i + 1, Accounts = chunk }).ToList();
        conn.Execute("""
            INSERT INTO bill_run_batches (run_id, batch_no, accounts) VALUES (@RunId, @BatchNo, @Accounts)
            """, batches, tx);
        conn.Execute("UPDATE bill_runs SET planned_at = now(), approval_requested_at = NULL, unrated = @unrated::jsonb WHERE id = @runId",
            new { runId, unrated = JsonSerializer.Serialize(unrated) }, tx);
        tx.Commit();
        return batches;
    }

    public static IReadOnlyList<BillRunBatch> Batches(NpgsqlConnection conn, long runId) =>
        conn.Query<BillRunBatch>("""
            SELECT run_id, batch_no, accounts, drafted_at, approved_at FROM bill_run_batches WHERE run_id = @runId ORDER BY batch_no
            """, new { runId }).AsList();

    public static BillRunBatch LockBatch(NpgsqlTransaction tx, long runId, int batchNo) =>
        tx.Connection!.QuerySingleOrDefault<BillRunBatch>("""
            SELECT run_id, batch_no, accounts, drafted_at, approved_at FROM bill_run_batches WHERE run_id = @runId AND batch_no = @batchNo FOR UPDATE
            """, new { runId, batchNo }, tx)
        ?? throw new InvalidOperationException($"bill run {runId} has no batch {batchNo} (it was planned again: run the batches of the new plan)");

    public static void MarkDrafted(NpgsqlTransaction tx, long runId, int batchNo) =>
        tx.Connection!.Execute("UPDATE bill_run_batches SET drafted_at = now() WHERE run_id = @runId AND batch_no = @batchNo", new { runId, batchNo }, tx);

    public static void MarkApproved(NpgsqlTransaction tx, long runId, int batchNo) =>
        tx.Connection!.Execute("UPDATE bill_run_batches SET approved_at = now() WHERE run_id = @runId AND batch_no = @batchNo", new { runId, batchNo }, tx);

    /// <summary>
    /// True once, for the caller that finds every batch drafted first: it then asks for the approval
    /// (the daily run with auto-approval), so the approval is requested exactly once per plan.
    /// </summary>
    public static bool ClaimApproval(NpgsqlConnection conn, long runId) =>
        conn.ExecuteScalar<long?>("""
            UPDATE bill_runs SET approval_requested_at = now()
            WHERE id = @runId AND approval_requested_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM bill_run_batches WHERE run_id = @runId AND drafted_at IS NULL)
            RETURNING id
            """, new { runId }) is not null;

    public static void ResetDrafted(NpgsqlConnection conn, long runId) =>
        conn.Execute("UPDATE bill_run_batches SET drafted_at = NULL WHERE run_id = @runId", new { runId });

    /// <summary>What the run knew, when planned, of usage in the closed cycles that was neither rated nor held.</summary>
    public static IReadOnlyDictionary<string, long> Unrated(NpgsqlConnection conn, long runId) =>
        JsonSerializer.Deserialize<Dictionary<string, long>>(conn.ExecuteScalar<string>("SELECT unrated::text FROM bill_runs WHERE id = @runId", new { runId }) ?? "{}")
        ?? [];

    /// <summary>
    /// Usage in [from, to) neither rated nor held, per account of the numbers' subscriptions at the
    /// time (the BRIN index on the event time narrows the read to the period).
    /// </summary>
    public static IReadOnlyList<(string Account, Instant Start)> UnratedUsage(NpgsqlConnection conn, Instant from, Instant to) =>
        conn.Query<(string, Instant)>("""
            SELECT s.account_id, u.start_utc FROM usage u
            JOIN subscriptions s ON s.msisdn = u.msisdn AND s.active_from <= u.start_utc AND (s.active_to IS NULL OR s.active_to > u.start_utc)
            WHERE u.start_utc >= @from AND u.start_utc < @to
              AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id)
              AND NOT EXISTS (SELECT 1 FROM rating_holds h WHERE h.usage_id = u.id)
            """, new { from, to }, commandTimeout: 0).AsList();

    /// <summary>The run's invoices with the figures of its report.</summary>
    public static IReadOnlyList<RunInvoice> Invoices(NpgsqlConnection conn, long runId) =>
        conn.Query<RunInvoice>("""
            SELECT i.id, i.account_id, a.name, i.status, i.number, i.currency, i.subtotal, i.tax, i.total, i.amount_due, i.previous_total,
                   i.warnings::text AS warnings, i.errors::text AS errors, i.changed_since_draft
            FROM invoices i JOIN accounts a ON a.id = i.account_id
            WHERE i.run_id = @runId ORDER BY i.account_id
            """, new { runId }).AsList();
}
