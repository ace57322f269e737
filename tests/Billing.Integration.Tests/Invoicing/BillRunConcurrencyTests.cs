using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Documents;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Rating;
using Dapper;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>
/// The bill run shared between workers and processes, and killed half-way: the end state is always
/// the one a single clean run gives — one issued invoice per account cycle, gapless numbers.
/// </summary>
public sealed class BillRunConcurrencyTests : IDisposable
{
    private static readonly LocalDate November = new(2026, 11, 1);
    private readonly List<IDisposable> _cleanup = [];
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 2, 6, 0));

    public void Dispose()
    {
        foreach (var d in _cleanup.AsEnumerable().Reverse())
        {
            d.Dispose();
        }
    }

    /// <summary>A database with <paramref name="accounts"/> postpaid accounts (cycle day 1), each with a few October calls and SMS, rated.</summary>
    private ScratchDatabase Database(int accounts)
    {
        var scratch = new ScratchDatabase();
        _cleanup.Add(scratch);
        using var c = scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        var usage = new List<UsageSpec>();
        for (var i = 0; i < accounts; i++)
        {
            var msisdn = $"4477009{i:00000}";
            RatingData.AddSubscriber(c, $"C-{i:000}", msisdn, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
            for (var k = 0; k <= i % 4; k++)
            {
                usage.Add(UsageSpec.Sms($"s-{i}-{k}", msisdn, "447700900123", Instant.FromUtc(2026, 10, 3 + k, 10, 0)));
                usage.Add(UsageSpec.Voice($"v-{i}-{k}", msisdn, "12025550123", Instant.FromUtc(2026, 10, 10 + k, 9, 0), 30 + (17 * i)));
            }
        }

        RatingData.InsertUsage(c, usage);
        new RateUsageJob(scratch.Db, new CatalogCache()).RateAll(100_000);
        return scratch;
    }

    private BillRunJob Job(ScratchDatabase db, int batchSize) => new(db.Db, new CatalogCache(), new InvoicingOptions { BatchSize = batchSize }, _clock);

    /// <summary>What a run issued, per account: number, total, amount due and the lines' kinds and amounts.</summary>
    private static List<(string Account, string Number, decimal Total, decimal Due, string Lines)> Issued(ScratchDatabase db)
    {
        using var c = db.Db.Open();
        return c.Query<(string, string, decimal, decimal, string)>("""
            SELECT i.account_id, i.number, i.total, i.amount_due,
                   string_agg(l.kind || ' ' || l.amount::text, '; ' ORDER BY l.line_no)
            FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
            WHERE i.status = 'issued'
            GROUP BY i.account_id, i.number, i.total, i.amount_due
            ORDER BY i.account_id
            """).AsList();
    }

    private static List<string> Numbers(int count) => [.. Enumerable.Range(1, count).Select(n => $"INV-2026-{n:000000}")];

    [Fact]
    public void Batches_approved_at_once_on_three_connections_take_every_number_once_with_no_gap()
    {
        var db = Database(12);
        var job = Job(db, batchSize: 2);
        var planned = job.Plan(November, null, "tests");
        job.DraftAll(planned.Run.Id);

        Parallel.ForEach(planned.Batches, new ParallelOptions { MaxDegreeOfParallelism = 3 }, b => job.ApproveBatch(planned.Run.Id, b.BatchNo));

        var issued = Issued(db);
        Assert.Equal(12, issued.Count);
        Assert.Equal(Numbers(12), issued.Select(i => i.Number).Order(StringComparer.Ordinal));
        using var c = db.Db.Open();
        Assert.Equal(12, c.ExecuteScalar<long>("SELECT last_seq FROM document_counters WHERE series = 'invoice' AND year = 2026"));
    }

    [Fact]
    public void A_fan_out_over_two_Hangfire_workers_issues_what_one_worker_issues()
    {
        var one = Database(8);
        var oneJob = Job(one, batchSize: 3);
        var planned = oneJob.Plan(November, null, "tests");
        oneJob.DraftAll(planned.Run.Id);
        oneJob.ApproveAll(planned.Run.Id);

        var two = Database(8);
        using var documents = new TempDir();
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(200) };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(two.Db.ConnectionString, options), options);
        var client = new BackgroundJobClient(storage);
        var twoJob = Job(two, batchSize: 3);
        using (new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = 2,
                ServerName = "bill-run-tests-" + Guid.NewGuid().ToString("N")[..8],
                Activator = new Activator(type => type == typeof(RenderDocumentsJob)
                    ? Rendering.Job(two.Db, documents.Path)
                    : new BillRunFanOut(two.Db, twoJob, client, new InvoicingOptions { BatchSize = 3 })),
            },
            storage))
        {
            client.Enqueue<BillRunFanOut>(f => f.Start("2026-11-01", null, true));
            Wait.Until(() => Rendered(two) == 8 && storage.GetMonitoringApi().GetStatistics() is { Enqueued: 0, Processing: 0 }, "8 invoices issued and rendered by the fan-out", TimeSpan.FromMinutes(3));
            Assert.Equal(0, storage.GetMonitoringApi().GetStatistics().Failed);
        }

        // Each approved batch's continuation rendered its invoices: one PDF per issued invoice, named by its number.
        Assert.Equal(Issued(two).Select(i => i.Number + ".pdf").Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(documents.Path, "invoices")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Which account got which number depends on which worker came first; everything else is equal.
        var byOne = Issued(one);
        var byTwo = Issued(two);
        Assert.Equal(byOne.Select(i => (i.Account, i.Total, i.Due, i.Lines)), byTwo.Select(i => (i.Account, i.Total, i.Due, i.Lines)));
        Assert.Equal(Numbers(8), byTwo.Select(i => i.Number).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The dashboard's Requeue of a succeeded "Bill run … batch 1/2: draft" job after the run was approved (or a draft
    /// job of a run whose batch was approved by a second run at the same time): the batch's accounts are issued, so it
    /// drafts nothing — no second invoice of their cycle beside the issued one, and a later approval has nothing to issue.
    /// </summary>
    [Fact]
    public void A_draft_batch_run_again_after_its_batch_was_approved_drafts_nothing_beside_the_four_issued_invoices()
    {
        var db = Database(4);
        var job = Job(db, batchSize: 2);
        var planned = job.Plan(November, null, "tests");
        job.DraftAll(planned.Run.Id);
        job.ApproveAll(planned.Run.Id);
        var issued = Issued(db);

        var again = job.DraftBatch(planned.Run.Id, 1);

        Assert.Equal(0, again.Drafts);
        using (var c = db.Db.Open())
        {
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM invoices WHERE status = 'draft'"));
        }

        Assert.Equal(0, job.ApproveAll(planned.Run.Id).Sum(o => o.Issued));
        Assert.Equal(issued, Issued(db));
        Assert.Equal(Numbers(4), Issued(db).Select(i => i.Number));
    }

    /// <summary>
    /// A run started again while the first is still at work (the dashboard's Trigger now beside the schedule's run):
    /// the second plans again, so the first may find a batch gone (it does nothing for it) or stop on a draft that the
    /// other run changed under it (serialization); whatever the interleaving, once a run has finished, each account's
    /// cycle is issued once, with the twelve numbers and no gap, and no draft is left beside an issued invoice.
    /// </summary>
    [Fact]
    public async Task Two_whole_bill_runs_of_the_same_date_at_once_issue_each_of_twelve_accounts_once_with_no_gap()
    {
        var db = Database(12);
        string? Whole()
        {
            try
            {
                var job = Job(db, batchSize: 1);
                var planned = job.Plan(November, null, "tests");
                job.DraftAll(planned.Run.Id);
                job.ApproveAll(planned.Run.Id);
                return null;
            }
            catch (Exception e) when (e is InvalidOperationException or PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected })
            {
                return e.Message;
            }
        }

        await Task.WhenAll(Task.Run(Whole), Task.Run(Whole));
        Assert.Null(Whole()); // a run after them finishes whatever a stopped one left

        var issued = Issued(db);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"C-{i:000}"), issued.Select(i => i.Account));
        Assert.Equal(Numbers(12), issued.Select(i => i.Number).Order(StringComparer.Ordinal));
        using var c = db.Db.Open();
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM invoices WHERE status = 'draft'"));
        Assert.Equal(12, c.ExecuteScalar<long>("SELECT last_seq FROM document_counters WHERE series = 'invoice'"));
    }

    /// <summary>
    /// Under `serve` with auto-approval, the last batch's draft job asks for the approval. Killed after deciding to ask
    /// and before the approval's jobs were enqueued, the job is run again (fetched again by Hangfire, or requeued from
    /// the dashboard): the run again must enqueue the approval of both batches, or nobody would approve the run.
    /// </summary>
    [Fact]
    public void A_last_draft_job_killed_before_it_enqueued_the_approval_enqueues_the_approval_of_both_batches_when_run_again()
    {
        var db = Database(4);
        var options = new InvoicingOptions { BatchSize = 2, AutoApprove = true };
        var job = Job(db, batchSize: 2);
        var planned = job.Plan(November, null, "tests");
        job.DraftBatch(planned.Run.Id, 1);

        var dying = new RecordingJobClient(dieOnCreate: true);
        Assert.Throws<IOException>(() => new BillRunFanOut(db.Db, job, dying, options).DraftBatch(planned.Run.Id, "2026-11-01", 2, 2, approve: true));
        var again = new RecordingJobClient(dieOnCreate: false);
        new BillRunFanOut(db.Db, job, again, options).DraftBatch(planned.Run.Id, "2026-11-01", 2, 2, approve: true);

        Assert.Equal([(nameof(BillRunFanOut.ApproveBatch), 1), (nameof(BillRunFanOut.ApproveBatch), 2)],
            again.Created.Where(j => j.Method.Name == nameof(BillRunFanOut.ApproveBatch)).Select(j => (j.Method.Name, (int)j.Args[2]!)));
    }

    /// <summary>
    /// The run planned again (the dashboard's Trigger now of "Bill run …: plan", or `billing bill-run DATE`) after its batch 1
    /// of two was approved: the new plan has one batch, the two accounts still to issue. The first plan's jobs still queued
    /// (or retried) name batches of the old plan: the draft and the approval of batch 2 find no such batch and do nothing —
    /// they do not fail (ten retries, then a failed job on the dashboard) nor ask for an approval the new plan may not want —
    /// and the render job of batch 1 renders the two invoices batch 1's approval issued, which the new batch 1 (the other two
    /// accounts, not issued) does not hold: no issued invoice is left without its PDF.
    /// </summary>
    [Fact]
    public void Jobs_of_a_plan_replaced_after_batch_1_was_approved_do_nothing_for_a_batch_that_is_gone_and_batch_1_still_renders_the_two_invoices_it_issued()
    {
        var db = Database(4);
        var job = Job(db, batchSize: 2);
        var first = job.Plan(November, null, "tests");
        job.DraftAll(first.Run.Id);
        Assert.Equal(2, job.ApproveBatch(first.Run.Id, 1).Issued);
        var issuedByBatch1 = Issued(db).Select(i => i.Number + ".pdf").ToList();

        var again = job.Plan(November, null, "tests");
        Assert.Equal([(1, 2)], again.Batches.Select(b => (b.BatchNo, b.Accounts)));

        var jobs = new RecordingJobClient(dieOnCreate: false);
        var fanOut = new BillRunFanOut(db.Db, job, jobs, new InvoicingOptions { BatchSize = 2, AutoApprove = true });
        Assert.Equal(0, fanOut.DraftBatch(first.Run.Id, "2026-11-01", 2, 2, approve: true).Drafts);
        Assert.Empty(jobs.Created);
        Assert.Equal(0, fanOut.ApproveBatch(first.Run.Id, "2026-11-01", 2, 2).Issued);

        using var documents = new TempDir();
        var render = Rendering.Job(db.Db, documents.Path);
        Assert.Equal(2, render.RenderBatch(first.Run.Id, "2026-11-01", 1, 2).Invoices);
        Assert.Equal(0, render.RenderBatch(first.Run.Id, "2026-11-01", 2, 2).Invoices); // rendered by batch 1's job: not again
        Assert.Equal(issuedByBatch1.Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(documents.Path, "invoices")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, Issued(db).Count); // nothing else was issued
    }

    /// <summary>A job client that records the jobs it is given, or dies (as the process would) at the first.</summary>
    private sealed class RecordingJobClient(bool dieOnCreate) : IBackgroundJobClient
    {
        public List<Hangfire.Common.Job> Created { get; } = [];

        public string Create(Hangfire.Common.Job job, Hangfire.States.IState state)
        {
            if (dieOnCreate)
            {
                throw new IOException("killed");
            }

            Created.Add(job);
            return Created.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool ChangeState(string jobId, Hangfire.States.IState state, string expectedState) => true;
    }

    [Fact]
    public void A_bill_run_killed_while_drafting_and_again_while_approving_ends_as_a_clean_run()
    {
        const int accounts = 40;
        var clean = Database(accounts);
        var killed = Database(accounts);
        using var work = new TempDir();
        File.WriteAllText(Path.Combine(work.Path, "billing.json"), """{ "invoicing": { "batchSize": 1 } }""");
        string[] Args(ScratchDatabase db) => ["bill-run", "2026-11-01", "--approve", "--db", db.Db.ConnectionString];

        var ok = BillingProcess.Run(TimeSpan.FromMinutes(5), work.Path, Args(clean));
        Assert.True(ok.Exit == 0, ok.Err);

        // Killed while drafting: the draft of C-020 waits on a row this test holds (a draft of the same cycle, uncommitted).
        using (var blocker = killed.Db.Open())
        using (var tx = blocker.BeginTransaction())
        {
            blocker.Execute("""
                INSERT INTO invoices (account_id, cycle_start, cycle_end, status, currency, issue_date, due_date, subtotal, tax, total,
                                      previous_balance, payments_and_credits, amount_due, fingerprint)
                VALUES ('C-020', '2026-10-01', '2026-11-01', 'draft', 'GBP', '2026-11-01', '2026-11-15', 0, 0, 0, 0, 0, 0, 'blocker')
                """, transaction: tx);
            KillWhenBlocked(work.Path, Args(killed), killed, blocker);
            using var c = killed.Db.Open();
            Assert.Equal(20, c.ExecuteScalar<long>("SELECT count(*) FROM bill_run_batches WHERE drafted_at IS NOT NULL"));
            tx.Rollback();
        }

        WaitForKilledBackends(killed);

        // Killed while approving: the approval of C-020 waits for its account row, which this test holds.
        using (var blocker = killed.Db.Open())
        using (var tx = blocker.BeginTransaction())
        {
            // FOR NO KEY UPDATE lets the drafts' foreign keys by (KEY SHARE) and stops the approval's account lock (FOR UPDATE).
            blocker.Execute("SELECT 1 FROM accounts WHERE id = 'C-020' FOR NO KEY UPDATE", transaction: tx);
            KillWhenBlocked(work.Path, Args(killed), killed, blocker);
            Assert.Equal(20, Issued(killed).Count);
            tx.Rollback();
        }

        WaitForKilledBackends(killed);

        var resumed = BillingProcess.Run(TimeSpan.FromMinutes(5), work.Path, Args(killed));
        Assert.True(resumed.Exit == 0, resumed.Err);

        Assert.Equal(Issued(clean), Issued(killed));
        Assert.Equal(Numbers(accounts), Issued(killed).Select(i => i.Number));
        using var check = killed.Db.Open();
        Assert.Equal(0, check.ExecuteScalar<long>("SELECT count(*) FROM invoices WHERE status = 'draft'"));
        Assert.Equal(accounts, check.ExecuteScalar<long>("SELECT last_seq FROM document_counters WHERE series = 'invoice'"));
    }

    /// <summary>
    /// Starts the run and SIGKILLs it once one of its connections waits for the lock <paramref name="blocker"/> holds
    /// (mid-transaction) — that lock and no other: the backend of a run killed before may still hold its batch's lock
    /// for a moment, and a wait for that one is not the point to kill at. Then waits until the killed run's backends
    /// are gone, so the next run meets none of their locks.
    /// </summary>
    private static void KillWhenBlocked(string work, string[] args, ScratchDatabase db, NpgsqlConnection blocker)
    {
        var blockerPid = blocker.ProcessID;
        using var p = BillingProcess.Start(work, args);
        using var c = db.Db.Open();
        Wait.Until(
            () => p.HasExited || c.ExecuteScalar<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), @blockerPid) AND @blockerPid = ANY(pg_blocking_pids(pid))
                """, new { blockerPid }) > 0,
            "billing to wait for the test's lock",
            TimeSpan.FromMinutes(3));
        if (p.HasExited)
        {
            Assert.Fail($"billing finished instead of waiting for the lock: {p.StandardError.ReadToEnd()}");
        }

        p.Kill(entireProcessTree: true);
        p.WaitForExit();
    }

    /// <summary>
    /// Waits until no backend of <paramref name="db"/> but this check's own is busy (the test's pooled connections are
    /// idle): a killed run's backends end once they notice their client is gone.
    /// </summary>
    private static void WaitForKilledBackends(ScratchDatabase db)
    {
        using var c = db.Db.Open();
        Wait.Until(
            () => c.ExecuteScalar<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
                """) == 0,
            "the killed run's backends to end",
            TimeSpan.FromMinutes(1));
    }

    private static long Rendered(ScratchDatabase db)
    {
        using var c = db.Db.Open();
        return c.ExecuteScalar<long>("SELECT count(*) FROM documents WHERE kind = 'invoice'");
    }

    private sealed class Activator(Func<Type, object> build) : JobActivator
    {
        public override object ActivateJob(Type jobType) => build(jobType);
    }
}
