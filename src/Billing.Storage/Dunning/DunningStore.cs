using Billing.Storage.Invoicing;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Dunning;

/// <summary>An account as dunning reads it: whom to write to, in what language and currency, and its segment.</summary>
public sealed record DunningAccountRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string BillingAddress { get; init; } = "";
    public string? Email { get; init; }
    public string Language { get; init; } = "en";
    public string Currency { get; init; } = "";
    public string TimeZone { get; init; } = "";
    public string Segment { get; init; } = "";
}

/// <summary>Everything the ladder reads of a set of accounts, on one snapshot.</summary>
public sealed record DunningState(
    IReadOnlyList<DunningAccountRow> Accounts,
    ILookup<string, OpenInvoice> Invoices,
    IReadOnlySet<long> Held,
    ILookup<string, (long InvoiceId, string Step)> Recorded,
    IReadOnlyDictionary<string, decimal> Unallocated,
    IReadOnlyDictionary<string, LocalDate> PausedUntil,
    IReadOnlySet<string> Suspended);

/// <summary>A step to record (taken or skipped) for an invoice.</summary>
public sealed record DunningActionIn(
    long InvoiceId, string Step, string AccountId, string Action, string Outcome, LocalDate AsOf, int DaysPastDue, decimal Overdue, string Currency,
    decimal? Fee, long? ChargeId, string? NotificationKey, string? Content, long? RunId);

/// <summary>A row of an account's dunning history: a step of an invoice, a suspension or its lifting, a promise to pay or a dispute and their ends.</summary>
public sealed record DunningHistoryRow
{
    public string AccountId { get; init; } = "";
    public LocalDate Date { get; init; }
    public string Event { get; init; } = "";
    public string? Invoice { get; init; }
    public string? Step { get; init; }
    public string? Outcome { get; init; }
    public int? DaysPastDue { get; init; }
    public decimal? Overdue { get; init; }
    public decimal? Fee { get; init; }
    public string? Currency { get; init; }
    public string? Detail { get; init; }
    public bool Letter { get; init; }
}

/// <summary>What one run did, kept in <c>dunning_runs</c>.</summary>
public sealed record DunningRunRow
{
    public long Id { get; init; }
    public LocalDate AsOf { get; init; }
    public Instant StartedAt { get; init; }
    public Instant? FinishedAt { get; init; }
    public int Accounts { get; init; }
    public int AccountsMoved { get; init; }
    public string Actions { get; init; } = "{}";
    public int Skipped { get; init; }
    public string Fees { get; init; } = "{}";
    public int Suspensions { get; init; }
    public int Reactivations { get; init; }
    public string? AgencyFile { get; init; }
}

/// <summary>
/// The collections ladder's tables: the steps recorded per (invoice, step) — the key that makes each
/// step happen once per invoice — suspensions on subscriptions, promises to pay, disputes, and runs.
/// </summary>
public static class DunningStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> accounts after <paramref name="after"/> (by id) that the ladder
    /// has to look at on <paramref name="asOf"/>: something issued is outstanding past its due date, or
    /// dunning has them suspended (to reactivate).
    /// </summary>
    public static IReadOnlyList<string> Candidates(NpgsqlConnection conn, LocalDate asOf, string after, int limit, string? account = null, NpgsqlTransaction? tx = null) =>
        conn.Query<string>("""
            SELECT a.id FROM accounts a
            WHERE a.id > @after AND (@account::text IS NULL OR a.id = @account)
              AND (EXISTS (SELECT 1 FROM invoices i
                           WHERE i.account_id = a.id AND i.status = 'issued' AND i.due_date < @asOf
                             AND i.total > coalesce((SELECT sum(x.amount) FROM allocations x WHERE x.invoice_id = i.id), 0))
                   OR EXISTS (SELECT 1 FROM suspensions s WHERE s.account_id = a.id AND s.lifted_on IS NULL))
            ORDER BY a.id
            LIMIT @limit
            """, new { asOf, after, limit, account }, tx).AsList();

    /// <summary>
    /// The ladder's view of these accounts on <paramref name="asOf"/>: their invoices still owing, steps recorded, unallocated credit,
    /// promise in force, suspension (begun by that date: a run of an earlier date, requeued, neither sees nor lifts a later one).
    /// </summary>
    public static DunningState Load(NpgsqlConnection conn, IReadOnlyCollection<string> accounts, LocalDate asOf, NpgsqlTransaction? tx = null) => Read(conn, accounts, asOf, tx, "");

    /// <summary>
    /// Locks one account's row for the rest of <paramref name="tx"/> (two runs, and payments, which lock it
    /// too, queue on it) and reads its state after the lock: one round trip, the lock's statement first.
    /// </summary>
    public static DunningState LockAndLoad(NpgsqlTransaction tx, string account, LocalDate asOf)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return Read(tx.Connection!, [account], asOf, tx, "SELECT id FROM accounts WHERE id = ANY(@ids) FOR UPDATE;");
    }

    /// <summary>The reads of <see cref="Load"/> as one batch (one round trip), after <paramref name="first"/>, whose rows are not read.</summary>
    private static DunningState Read(NpgsqlConnection conn, IReadOnlyCollection<string> accounts, LocalDate asOf, NpgsqlTransaction? tx, string first)
    {
        var ids = accounts.ToArray();
        using var q = conn.QueryMultiple(first + """
            SELECT id, name, billing_address, nullif(btrim(email), '') AS email, language, trim(currency) AS currency, time_zone, segment
            FROM accounts WHERE id = ANY(@ids) ORDER BY id;

            SELECT i.id, i.number, i.account_id, i.issue_date, i.due_date, trim(i.currency) AS currency, i.total, i.total - s.settled AS outstanding
            FROM invoices i
            CROSS JOIN LATERAL (SELECT coalesce(sum(x.amount), 0) AS settled FROM allocations x WHERE x.invoice_id = i.id) s
            WHERE i.account_id = ANY(@ids) AND i.status = 'issued' AND i.total > s.settled
            ORDER BY i.account_id, i.due_date, i.number;

            SELECT h.invoice_id FROM dunning_holds h JOIN invoices i ON i.id = h.invoice_id WHERE i.account_id = ANY(@ids) AND h.released_at IS NULL;

            SELECT account_id, invoice_id, step FROM dunning_actions WHERE account_id = ANY(@ids);

            SELECT account_id, sum(left_over) FROM (
                SELECT p.account_id, p.amount - coalesce((SELECT sum(x.amount) FROM allocations x WHERE x.payment_id = p.id), 0) AS left_over
                FROM payments p WHERE p.account_id = ANY(@ids)
                UNION ALL
                SELECT n.account_id, -n.total - coalesce((SELECT sum(x.amount) FROM allocations x WHERE x.credit_note_id = n.id), 0)
                FROM credit_notes n WHERE n.account_id = ANY(@ids)
                UNION ALL
                SELECT c.account_id, -c.total - coalesce((SELECT sum(x.amount) FROM allocations x WHERE x.credit_invoice_id = c.id), 0)
                FROM invoices c WHERE c.account_id = ANY(@ids) AND c.status = 'issued' AND c.total < 0) m
            GROUP BY account_id HAVING sum(left_over) > 0;

            SELECT account_id, until FROM dunning_pauses WHERE account_id = ANY(@ids) AND ended_at IS NULL;

            SELECT DISTINCT account_id FROM suspensions WHERE account_id = ANY(@ids) AND lifted_on IS NULL AND suspended_on <= @asOf;
            """, new { ids, asOf }, tx);
        if (first.Length > 0)
        {
            q.Read<string>().AsList();
        }

        var rows = q.Read<DunningAccountRow>().AsList();
        var invoices = q.Read<OpenInvoice>().ToLookup(i => i.AccountId, StringComparer.Ordinal);
        var held = q.Read<long>().ToHashSet();
        var recorded = q.Read<(string Account, long Invoice, string Step)>().ToLookup(r => r.Account, r => (r.Invoice, r.Step), StringComparer.Ordinal);
        var unallocated = q.Read<(string Account, decimal Left)>().ToDictionary(x => x.Account, x => x.Left, StringComparer.Ordinal);
        var paused = q.Read<(string Account, LocalDate Until)>().ToDictionary(x => x.Account, x => x.Until, StringComparer.Ordinal);
        var suspended = q.Read<string>().ToHashSet(StringComparer.Ordinal);
        return new DunningState(rows, invoices, held, recorded, unallocated, paused, suspended);
    }

    /// <summary>
    /// What every issued invoice still has outstanding (of one account, or all), with its due date: the aging report's input.
    /// On <paramref name="asOf"/>: only invoices issued by then, less only what payments (by their UTC date, as the statement dates
    /// them), credit notes and invoices of a negative total (by their issue dates) of that date or earlier settled of them.
    /// </summary>
    public static IReadOnlyList<Billing.Core.Dunning.OwedItem> Owed(NpgsqlConnection conn, string? account, LocalDate? asOf = null) =>
        conn.Query<(string Account, string Currency, LocalDate Due, decimal Outstanding)>("""
            SELECT i.account_id, trim(i.currency), i.due_date, i.total - s.settled
            FROM invoices i
            CROSS JOIN LATERAL (
                SELECT coalesce(sum(x.amount), 0) AS settled FROM allocations x
                LEFT JOIN payments p ON p.id = x.payment_id LEFT JOIN credit_notes n ON n.id = x.credit_note_id LEFT JOIN invoices c ON c.id = x.credit_invoice_id
                WHERE x.invoice_id = i.id
                  AND (@asOf::date IS NULL OR coalesce((p.paid_at AT TIME ZONE 'UTC')::date, n.issue_date, c.issue_date) <= @asOf)) s
            WHERE i.status = 'issued' AND i.total > s.settled AND (@account::text IS NULL OR i.account_id = @account)
              AND (@asOf::date IS NULL OR i.issue_date <= @asOf)
            """, new { account, asOf }).Select(o => new Billing.Core.Dunning.OwedItem(o.Account, o.Currency, o.Due, o.Outstanding)).AsList();

    /// <summary>The earliest due date of an issued invoice still owing (null: nothing owed).</summary>
    public static LocalDate? EarliestDue(NpgsqlConnection conn) =>
        Owed(conn, null).Select(o => (LocalDate?)o.DueDate).Min();

    /// <summary>The accounts dunning has suspended now, by id.</summary>
    public static IReadOnlyList<string> SuspendedAccounts(NpgsqlConnection conn) =>
        conn.Query<string>("SELECT DISTINCT account_id FROM suspensions WHERE lifted_on IS NULL ORDER BY 1").AsList();

    /// <summary>Records the steps; a (invoice, step) recorded before records nothing. Returns the keys recorded now.</summary>
    public static IReadOnlySet<(long InvoiceId, string Step)> Record(NpgsqlTransaction tx, IReadOnlyList<DunningActionIn> actions)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            return new HashSet<(long, string)>();
        }

        return tx.Connection!.Query<(long, string)>("""
            INSERT INTO dunning_actions (invoice_id, step, account_id, action, outcome, as_of, days_past_due, overdue, currency, fee, charge_id, notification_key, content, run_id)
            SELECT i, s, a, ac, o, d, dp, ov, c, f, ch, n, ct::jsonb, r
            FROM unnest(@invoices, @steps, @accounts, @actions, @outcomes, @dates, @days, @overdue, @currencies, @fees, @charges, @keys, @contents, @runs)
                AS x(i, s, a, ac, o, d, dp, ov, c, f, ch, n, ct, r)
            ON CONFLICT (invoice_id, step) DO NOTHING
            RETURNING invoice_id, step
            """, new
        {
            invoices = actions.Select(a => a.InvoiceId).ToArray(),
            steps = actions.Select(a => a.Step).ToArray(),
            accounts = actions.Select(a => a.AccountId).ToArray(),
            actions = actions.Select(a => a.Action).ToArray(),
            outcomes = actions.Select(a => a.Outcome).ToArray(),
            dates = actions.Select(a => a.AsOf.ToDateOnly()).ToArray(),
            days = actions.Select(a => a.DaysPastDue).ToArray(),
            overdue = actions.Select(a => a.Overdue).ToArray(),
            currencies = actions.Select(a => a.Currency).ToArray(),
            fees = actions.Select(a => a.Fee).ToArray(),
            charges = actions.Select(a => a.ChargeId).ToArray(),
            keys = actions.Select(a => a.NotificationKey).ToArray(),
            contents = actions.Select(a => a.Content).ToArray(),
            runs = actions.Select(a => a.RunId).ToArray(),
        }, tx).ToHashSet();
    }

    /// <summary>
    /// Suspends every subscription of the account in force on <paramref name="asOf"/> that is not
    /// suspended already; returns how many were.
    /// </summary>
    public static int Suspend(NpgsqlTransaction tx, string account, long invoiceId, string step, LocalDate asOf, string reason)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var (from, to) = (asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), asOf.PlusDays(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        return tx.Connection!.Execute("""
            INSERT INTO suspensions (subscription_id, account_id, reason, invoice_id, step, suspended_on)
            SELECT s.id, s.account_id, @reason, @invoiceId, @step, @asOf FROM subscriptions s
            WHERE s.account_id = @account AND s.active_from < @to AND (s.active_to IS NULL OR s.active_to > @from)
              AND NOT EXISTS (SELECT 1 FROM suspensions o WHERE o.subscription_id = s.id AND o.lifted_on IS NULL)
            """, new { account, invoiceId, step, asOf, reason, from, to }, tx);
    }

    /// <summary>Lifts the account's open suspensions begun by <paramref name="asOf"/>; returns the ids lifted (none: nothing was suspended).</summary>
    public static IReadOnlyList<long> Reactivate(NpgsqlTransaction tx, string account, LocalDate asOf, string reason)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<long>("""
            UPDATE suspensions SET lifted_on = @asOf, lifted_at = now(), lifted_reason = @reason
            WHERE account_id = @account AND lifted_on IS NULL AND suspended_on <= @asOf
            RETURNING id
            """, new { account, asOf, reason }, tx).AsList();
    }

    /// <summary>
    /// The suspensions an invoice shows: of its account's subscriptions, in force at some point of its period
    /// and begun by its issue date; lifted only if lifted by then (so a later reactivation does not change
    /// what a re-render of the invoice says). By invoice id, in msisdn and date order.
    /// </summary>
    public static ILookup<long, Billing.Core.Documents.DocumentSuspension> OnInvoices(NpgsqlConnection conn, IReadOnlyCollection<long> invoiceIds, NpgsqlTransaction? tx = null) =>
        conn.Query<(long InvoiceId, string Msisdn, LocalDate Since, LocalDate? Until, string Reason)>("""
            SELECT i.id, s.msisdn, x.suspended_on, CASE WHEN x.lifted_on <= i.issue_date THEN x.lifted_on END, x.reason
            FROM invoices i
            JOIN suspensions x ON x.account_id = i.account_id
                AND x.suspended_on < i.cycle_end AND x.suspended_on <= i.issue_date AND (x.lifted_on IS NULL OR x.lifted_on > i.cycle_start)
            JOIN subscriptions s ON s.id = x.subscription_id
            WHERE i.id = ANY(@ids)
            ORDER BY i.id, s.msisdn, x.suspended_on
            """, new { ids = invoiceIds.ToArray() }, tx)
            .ToLookup(r => r.InvoiceId, r => new Billing.Core.Documents.DocumentSuspension(r.Msisdn, r.Since, r.Until, r.Reason));

    /// <summary>The open suspensions of the account: (msisdn, since, reason).</summary>
    public static IReadOnlyList<(string Msisdn, LocalDate Since, string Reason)> OpenSuspensions(NpgsqlConnection conn, string account) =>
        conn.Query<(string, LocalDate, string)>("""
            SELECT s.msisdn, x.suspended_on, x.reason FROM suspensions x JOIN subscriptions s ON s.id = x.subscription_id
            WHERE x.account_id = @account AND x.lifted_on IS NULL ORDER BY s.msisdn
            """, new { account }).AsList();

    /// <summary>A promise to pay: ends the open one, if any, and holds the ladder through <paramref name="until"/>. False: no such account.</summary>
    public static bool Pause(NpgsqlConnection conn, string account, LocalDate until, string note, string by)
    {
        using var tx = conn.BeginTransaction();
        if (conn.ExecuteScalar<string?>("SELECT id FROM accounts WHERE id = @account FOR UPDATE", new { account }, tx) is null)
        {
            return false;
        }

        conn.Execute("UPDATE dunning_pauses SET ended_at = now(), ended_by = @by WHERE account_id = @account AND ended_at IS NULL", new { account, by }, tx);
        conn.Execute("INSERT INTO dunning_pauses (account_id, until, note, created_by) VALUES (@account, @until, @note, @by)", new { account, until, note, by }, tx);
        tx.Commit();
        return true;
    }

    /// <summary>Ends the account's promise to pay now; returns its date, or null when none was open.</summary>
    public static LocalDate? Resume(NpgsqlConnection conn, string account, string by) =>
        conn.QuerySingleOrDefault<LocalDate?>("""
            UPDATE dunning_pauses SET ended_at = now(), ended_by = @by WHERE account_id = @account AND ended_at IS NULL RETURNING until
            """, new { account, by });

    /// <summary>Takes an issued invoice out of the ladder (a dispute). Null: no such issued invoice; false: already held.</summary>
    public static bool? Hold(NpgsqlConnection conn, string number, string reason, string by)
    {
        var id = conn.ExecuteScalar<long?>("SELECT id FROM invoices WHERE number = @number AND status = 'issued'", new { number });
        if (id is null)
        {
            return null;
        }

        return conn.Execute("""
            INSERT INTO dunning_holds (invoice_id, reason, created_by) VALUES (@id, @reason, @by)
            ON CONFLICT (invoice_id) WHERE released_at IS NULL DO NOTHING
            """, new { id, reason, by }) == 1;
    }

    /// <summary>Releases a disputed invoice into the ladder again. Null: no such issued invoice; false: it was not held.</summary>
    public static bool? Release(NpgsqlConnection conn, string number, string by)
    {
        var id = conn.ExecuteScalar<long?>("SELECT id FROM invoices WHERE number = @number AND status = 'issued'", new { number });
        if (id is null)
        {
            return null;
        }

        return conn.Execute("UPDATE dunning_holds SET released_at = now(), released_by = @by WHERE invoice_id = @id AND released_at IS NULL", new { id, by }) == 1;
    }

    public static long StartRun(NpgsqlConnection conn, LocalDate asOf, string by) =>
        conn.ExecuteScalar<long>("INSERT INTO dunning_runs (as_of, started_by) VALUES (@asOf, @by) RETURNING id", new { asOf, by });

    public static void FinishRun(NpgsqlConnection conn, DunningRunRow run) =>
        conn.Execute("""
            UPDATE dunning_runs SET finished_at = now(), accounts = @Accounts, accounts_moved = @AccountsMoved, actions = @Actions::jsonb, skipped = @Skipped,
                   fees = @Fees::jsonb, suspensions = @Suspensions, reactivations = @Reactivations, agency_file = @AgencyFile
            WHERE id = @Id
            """, run);

    /// <summary>The latest runs, newest first.</summary>
    public static IReadOnlyList<DunningRunRow> Runs(NpgsqlConnection conn, int limit) =>
        conn.Query<DunningRunRow>("""
            SELECT id, as_of, started_at, finished_at, accounts, accounts_moved, actions::text AS actions, skipped, fees::text AS fees, suspensions, reactivations, agency_file
            FROM dunning_runs ORDER BY id DESC LIMIT @limit
            """, new { limit }).AsList();

    /// <summary>The hand-overs taken on <paramref name="asOf"/> (their recorded content, JSON), by account and invoice.</summary>
    public static IReadOnlyList<string> AgencyHandOvers(NpgsqlConnection conn, LocalDate asOf, NpgsqlTransaction? tx = null) =>
        conn.Query<string>("""
            SELECT d.content::text FROM dunning_actions d JOIN invoices i ON i.id = d.invoice_id
            WHERE d.action = 'agency' AND d.outcome = 'taken' AND d.as_of = @asOf ORDER BY d.account_id, i.number
            """, new { asOf }, tx).AsList();

    /// <summary>The advisory-lock space of the day's hand-over file (the day is the lock's second key).</summary>
    public const int AgencyFileLockSpace = 1094862660;

    /// <summary>
    /// Holds the hand-over file of <paramref name="asOf"/> until <paramref name="tx"/> ends: two runs of one date (a
    /// re-run from the dashboard beside the scheduled one) write it one after the other, each whole, not at once.
    /// </summary>
    public static void LockAgencyFile(NpgsqlTransaction tx, LocalDate asOf)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Connection!.Execute("SELECT pg_advisory_xact_lock(@space, @day)", new { space = AgencyFileLockSpace, day = asOf.ToDateOnly().DayNumber }, tx);
    }

    /// <summary>The letter recorded for a step (its content, JSON), or null.</summary>
    public static string? Letter(NpgsqlConnection conn, string invoiceNumber, string step) =>
        conn.ExecuteScalar<string?>("""
            SELECT d.content::text FROM dunning_actions d JOIN invoices i ON i.id = d.invoice_id
            WHERE i.number = @invoiceNumber AND d.step = @step AND d.action = 'letter' AND d.outcome = 'taken'
            """, new { invoiceNumber, step });

    /// <summary>
    /// Steps taken and skipped, suspensions and reactivations, promises to pay (paused, resumed — a promise
    /// replaced by a new one counts as resumed) and disputes (held, released), newest first; of one account
    /// or all. Promises and disputes are dated by when they were entered (UTC), steps by their run's date.
    /// </summary>
    public static IReadOnlyList<DunningHistoryRow> History(NpgsqlConnection conn, string? account, int limit) =>
        conn.Query<DunningHistoryRow>("""
            SELECT * FROM (
                SELECT d.account_id, d.as_of AS date, d.action AS event, i.number AS invoice, d.step, d.outcome, d.days_past_due, d.overdue, d.fee,
                       trim(d.currency) AS currency, d.notification_key AS detail, d.action = 'letter' AND d.outcome = 'taken' AS letter, d.created_at AS at, 1 AS o
                FROM dunning_actions d JOIN invoices i ON i.id = d.invoice_id
                WHERE @account::text IS NULL OR d.account_id = @account
                UNION ALL
                SELECT x.account_id, x.suspended_on, 'suspended', i.number, x.step, NULL, NULL, NULL, NULL, NULL, '+' || s.msisdn || ': ' || x.reason, false, x.suspended_at, 2
                FROM suspensions x JOIN subscriptions s ON s.id = x.subscription_id LEFT JOIN invoices i ON i.id = x.invoice_id
                WHERE @account::text IS NULL OR x.account_id = @account
                UNION ALL
                SELECT x.account_id, x.lifted_on, 'reactivated', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '+' || s.msisdn || ': ' || x.lifted_reason, false, x.lifted_at, 3
                FROM suspensions x JOIN subscriptions s ON s.id = x.subscription_id
                WHERE x.lifted_on IS NOT NULL AND (@account::text IS NULL OR x.account_id = @account)
                UNION ALL
                SELECT p.account_id, (p.created_at AT TIME ZONE 'UTC')::date, 'paused', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       'promise to pay until ' || to_char(p.until, 'YYYY-MM-DD') || ' by ' || p.created_by || CASE WHEN p.note <> '' THEN ': ' || p.note ELSE '' END, false, p.created_at, 4
                FROM dunning_pauses p WHERE @account::text IS NULL OR p.account_id = @account
                UNION ALL
                SELECT p.account_id, (p.ended_at AT TIME ZONE 'UTC')::date, 'resumed', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       'promise to pay until ' || to_char(p.until, 'YYYY-MM-DD') || ' ended by ' || p.ended_by, false, p.ended_at, 5
                FROM dunning_pauses p WHERE p.ended_at IS NOT NULL AND (@account::text IS NULL OR p.account_id = @account)
                UNION ALL
                SELECT i.account_id, (d.created_at AT TIME ZONE 'UTC')::date, 'held', i.number, NULL, NULL, NULL, NULL, NULL, NULL, 'dispute: ' || d.reason || ' (by ' || d.created_by || ')', false, d.created_at, 6
                FROM dunning_holds d JOIN invoices i ON i.id = d.invoice_id WHERE @account::text IS NULL OR i.account_id = @account
                UNION ALL
                SELECT i.account_id, (d.released_at AT TIME ZONE 'UTC')::date, 'released', i.number, NULL, NULL, NULL, NULL, NULL, NULL, 'released by ' || d.released_by, false, d.released_at, 7
                FROM dunning_holds d JOIN invoices i ON i.id = d.invoice_id WHERE d.released_at IS NOT NULL AND (@account::text IS NULL OR i.account_id = @account)) h
            ORDER BY h.date DESC, h.at DESC, h.o DESC, h.invoice DESC, h.step DESC
            LIMIT @limit
            """, new { account, limit }).AsList();
}
