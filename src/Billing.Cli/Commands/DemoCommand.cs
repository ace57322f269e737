using System.CommandLine;
using Billing.Storage;
using Billing.Storage.Rating;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>
/// billing demo: the present pipeline end to end on sample-cdrs/, with the embedded default, into a
/// fresh demo database and a scratch drop folder, then a summary a person can read.
/// </summary>
public static class DemoCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var samples = new Option<string?>("--samples") { Description = "Folder of sample CDRs (default: sample-cdrs/ of the repository)" };
        var demo = new Command("demo", "Run the pipeline end to end on sample-cdrs/ into a fresh demo database and print a summary") { samples };
        demo.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(samples), Console.Out)));
        return demo;
    }

    public static int Run(GlobalOptions g, string? samples, TextWriter output)
    {
        var samplesDir = samples ?? FindSamples()
            ?? throw new UserErrorException("Cannot find sample-cdrs/. Run the demo from the repository, or pass --samples DIR.");
        var config = BillingConfig.Load(g.ConfigPath);
        var drop = Path.Combine(config.StateDirectory, "demo", "drop");
        if (Directory.Exists(drop))
        {
            Directory.Delete(drop, recursive: true);
        }

        var copied = CopySamples(samplesDir, drop);
        output.WriteLine($"billing demo — {copied} sample CDR file(s) from {Path.GetFullPath(samplesDir)}");
        output.WriteLine("Starting PostgreSQL and migrating a fresh demo database…");
        using var rt = Runtime.Start(g, database: "billing_demo", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        output.WriteLine($"Database: {rt.Where}");
        output.WriteLine($"Drop folder: {Path.GetFullPath(drop)}");
        output.WriteLine();
        output.WriteLine("Mediation (one line per file):");
        var options = rt.Config.Mediation with { DropFolder = drop, SettleSeconds = 0 };
        var outcomes = rt.Jobs.IngestDropFolder(options).IngestAll(o => output.WriteLine(IngestCommand.Line(o)));
        output.WriteLine();
        output.WriteLine(IngestCommand.Summary(outcomes));

        using var conn = rt.Db.Open();
        output.WriteLine();
        output.WriteLine("Usage stored, by source and service:");
        var table = new TextTable("source", "service", "records", "seconds", "bytes", "first (UTC)", "last (UTC)");
        foreach (var r in UsageStore.BySource(conn))
        {
            table.Add(r.Source, r.Service.ToString().ToLowerInvariant(), r.Records, r.Seconds, r.Bytes,
                r.First.ToString("uuuu-MM-dd HH:mm:ss", null), r.Last.ToString("uuuu-MM-dd HH:mm:ss", null));
        }

        output.Write(table.ToString());
        var suspense = SuspenseStore.OpenByReason(conn);
        if (suspense.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Suspense (open rows, by reason):");
            var st = new TextTable("source", "reason", "rows", "example");
            foreach (var s in suspense)
            {
                st.Add(s.Source, s.Reason, s.Count, s.ExampleDetail);
            }

            output.Write(st.ToString());
        }

        if (RateSamples(rt, samplesDir, output))
        {
            BillRunSamples(g, rt, samplesDir, output);
        }

        output.WriteLine();
        output.WriteLine($"Archived files and their manifests: {Path.GetFullPath(Path.Combine(drop, "archive"))}");
        output.WriteLine($"Rejected files and their reasons:   {Path.GetFullPath(Path.Combine(drop, "rejected"))}");
        output.WriteLine("Look at the demo's database with BILLING_DATABASE=billing_demo, e.g. BILLING_DATABASE=billing_demo billing files list · billing suspense list · billing suspense show ID · billing charges list --account ACME-001 · billing catalog show; billing serve runs the Hangfire dashboard at /hangfire (from a checkout, billing is ./billing)");
        return 0;
    }

    /// <summary>Imports the sample accounts, loads the example catalogue and rates the usage, then sums it up per account; false when there are no sample accounts.</summary>
    private static bool RateSamples(Runtime rt, string samplesDir, TextWriter output)
    {
        var accountsFile = Path.Combine(samplesDir, "accounts.csv");
        var catalogDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(samplesDir))!, "templates", "catalog");
        if (!File.Exists(accountsFile) || !Directory.Exists(catalogDir))
        {
            output.WriteLine();
            output.WriteLine("(No sample accounts or example catalogue found: rating and the bill run skipped.)");
            return false;
        }

        using var conn = rt.Db.Open();
        var (rows, errors) = Billing.Mediation.Imports.AccountCsvReader.Read(accountsFile, rt.Config.Numbering);
        var imported = errors.Count == 0 ? AccountStore.Import(conn, rows) : new AccountImportResult(0, 0, 0, 0, errors);
        var loaded = Billing.Catalog.CatalogSource.LoadFolder(Billing.Catalog.CatalogSource.Native, catalogDir, "example", new Dictionary<string, string>());
        if (imported.Errors.Count > 0 || !loaded.Succeeded)
        {
            throw new InvalidOperationException("the demo's sample accounts or example catalogue do not load: " +
                string.Join("; ", imported.Errors.Select(e => $"{accountsFile}:{e.Line}: {e.Message}").Concat(loaded.Errors.Select(e => e.ToString()))));
        }

        var (version, _) = CatalogStore.Save(conn, "example", Billing.Catalog.CatalogSource.Native, Billing.Catalog.CatalogChecksum.Of(catalogDir),
            Instant.FromUtc(2026, 1, 1, 0, 0), Billing.Catalog.CatalogSource.ReadFiles(catalogDir), new Dictionary<string, string>(), "demo");
        var topUps = CreditSampleTopUps(rt, conn, samplesDir);
        var result = rt.Jobs.RateUsage().RateAll(Billing.Jobs.Rating.RateUsageJob.DefaultRangeSize);
        output.WriteLine();
        output.WriteLine($"Rating: {imported.Accounts} sample accounts, example catalogue (templates/catalog) as version {version}: " +
            $"{result.Rated:N0} record(s) rated, {result.Held:N0} held" + (result.HeldByReason.Count == 0 ? "." : $" ({string.Join(", ", result.HeldByReason.Select(h => $"{h.Key} {h.Value}"))})."));
        var table = new TextTable("account", "plan", "cycle from", "calls", "billed s", "SMS", "data bytes", "allowance used", "amount");
        foreach (var r in ChargeStore.PerCycle(conn))
        {
            table.Add(r.AccountId, r.PlanId, r.CycleStart.ToString("uuuu-MM-dd", null), r.Calls, r.BilledSeconds, r.Sms, r.Bytes, r.AllowanceUsed, r.Amount.ToString());
        }

        output.Write(table.ToString());
        ShowWallets(rt, conn, topUps, result, output);
        output.WriteLine("Why a charge costs what it does: billing price --catalog templates/catalog --plan uk_prepaid --service voice --destination 07700900123 --start 2026-11-02T18:59:30Z --usage 95");
        return true;
    }

    /// <summary>The demo's clock for the bill run: the sample usage is of November 2026, and its cycles end at midnight starting 1 December.</summary>
    public static readonly Instant BillRunAt = Instant.FromUtc(2026, 12, 2, 6, 0);

    /// <summary>
    /// Closes November: drafts the bill run of 2026-12-01 as the daily job would on 2 December (the demo's
    /// clock, since the samples' cycles may not have ended yet), approves it, takes sample-cdrs/payments.csv,
    /// lists the invoices and proves the chain with the reconcile.
    /// </summary>
    private static void BillRunSamples(GlobalOptions g, Runtime rt, string samplesDir, TextWriter output)
    {
        var runDate = new LocalDate(2026, 12, 1);
        var job = rt.Jobs.BillRun(new Billing.Core.Cycles.FixedClock(BillRunAt));
        var planned = job.Plan(runDate, null, "demo");
        job.DraftAll(planned.Run.Id);
        output.WriteLine();
        output.WriteLine($"Bill run, as the daily job would make it on {BillRunAt:uuuu-MM-dd} (the demo's clock) — the draft first:");
        BillRunCommands.Report(g with { Json = false }, rt, planned.Run.Id, output, planned.NotEnded, null);
        var approval = job.ApproveAll(planned.Run.Id);
        output.WriteLine();
        output.WriteLine($"Approved: {approval.Sum(a => a.Issued)} invoice(s) issued with gapless numbers; issued invoices can no longer change.");

        var payments = Path.Combine(samplesDir, "payments.csv");
        if (File.Exists(payments))
        {
            var (rows, readErrors) = Billing.Mediation.Imports.PaymentCsvReader.Read(payments);
            var result = rt.Jobs.Receivables().RecordPayments(rows, "demo", readErrors);
            if (result.Errors.Count > 0)
            {
                throw new InvalidOperationException($"the demo's sample payments do not load: {string.Join("; ", result.Errors.Select(e => $"{payments}:{e.Line}: {e.Message}"))}");
            }

            output.WriteLine();
            output.WriteLine("Payments:");
            PaymentCommands.Print(payments, result, output);
        }

        using var conn = rt.Db.Open();
        output.WriteLine();
        output.WriteLine("Invoices:");
        output.Write(InvoiceCommands.Table(Billing.Storage.Invoicing.InvoiceStore.List(conn, new Billing.Storage.Invoicing.InvoiceFilter(null, planned.Run.Id, "issued", 1000))
            .OrderBy(i => i.Number, StringComparer.Ordinal)));
        output.WriteLine();
        output.Write(ReconcileCommands.Text(new Billing.Jobs.Reconciliation.ReconcileJob(rt.Db).Run(runDate)));
        output.WriteLine("One invoice in full: BILLING_DATABASE=billing_demo billing invoices show INV-2026-000001 · a statement: BILLING_DATABASE=billing_demo billing accounts statement P-1008");
        DunningSamples(rt, conn, output);
        PortalSamples(rt, conn, planned.Run.Id, output);
    }

    /// <summary>Renders the run's invoice PDFs into the document store and makes a finance user for the portal, with a password shown once.</summary>
    private static void PortalSamples(Runtime rt, Npgsql.NpgsqlConnection conn, long runId, TextWriter output)
    {
        var rendered = rt.Jobs.RenderDocuments().RenderRun(runId);
        output.WriteLine();
        output.WriteLine($"PDFs: {rendered.Invoices} invoice(s) and {rendered.CreditNotes} credit note(s) rendered into {Path.GetFullPath(rt.Config.Documents.Folder!)}; " +
            "one of them: BILLING_DATABASE=billing_demo billing invoices pdf INV-2026-000001 --out invoice.pdf");
        var password = System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
        var added = Billing.Storage.Portal.PortalUserStore.Add(conn, "demo", "finance", Billing.Cli.Portal.PortalPasswords.Hash(password), "demo");
        output.WriteLine(added
            ? $"Finance portal: BILLING_DATABASE=billing_demo billing serve, then open http://127.0.0.1:5080/portal and sign in as demo with the password {password} (made for this demo database only)."
            : "Finance portal: BILLING_DATABASE=billing_demo billing serve, then http://127.0.0.1:5080/portal (the user demo exists already; `billing users add NAME --role finance` makes another).");
    }

    /// <summary>
    /// The dunning ladder (templates/catalog/dunning.csv) over simulated days after the invoices fall due:
    /// reminders, fees, letters, suspension; then the first suspended account pays what it owes and the
    /// next day's run reactivates it.
    /// </summary>
    private static void DunningSamples(Runtime rt, Npgsql.NpgsqlConnection conn, TextWriter output)
    {
        var due = Billing.Storage.Dunning.DunningStore.EarliestDue(conn);
        if (due is not { } dueDate)
        {
            return;
        }

        var job = rt.Jobs.Dunning();
        output.WriteLine();
        output.WriteLine($"Dunning over simulated days (the ladder of templates/catalog/dunning.csv; the invoices fell due on {dueDate:uuuu-MM-dd}):");
        foreach (var days in new[] { 7, 14, 21, 30 })
        {
            output.WriteLine($"  {dueDate.PlusDays(days):uuuu-MM-dd} (+{days}): {DunningCommands.Summary(job.Run(dueDate.PlusDays(days), false, "demo"))}");
        }

        var suspended = Billing.Storage.Dunning.DunningStore.SuspendedAccounts(conn) is [var first, ..] ? first : null;
        if (suspended is null)
        {
            return;
        }

        var owed = Billing.Storage.Dunning.DunningStore.Owed(conn, suspended).Sum(o => o.Outstanding);
        var paidAt = dueDate.PlusDays(31).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant().Plus(Duration.FromHours(9));
        var payment = rt.Jobs.Receivables().RecordPayments([new Billing.Mediation.Imports.PaymentRow(1, $"DEMO-DUNNING-{suspended}", suspended, owed, paidAt, null, null)], "demo");
        output.WriteLine($"  {suspended} pays the {BillRunCommands.Amount(owed, "GBP")} it owes on {dueDate.PlusDays(31):uuuu-MM-dd}{(payment.Errors.Count > 0 ? $" (refused: {payment.Errors[0].Message})" : "")}.");
        output.WriteLine($"  {dueDate.PlusDays(31):uuuu-MM-dd} (+31): {DunningCommands.Summary(job.Run(dueDate.PlusDays(31), false, "demo"))}");
        output.WriteLine();
        output.WriteLine($"Dunning history of {suspended}:");
        DunningCommands.History(Billing.Storage.Dunning.DunningStore.History(conn, suspended, 50), output);
        var letter = Billing.Storage.Dunning.DunningStore.History(conn, suspended, 50).FirstOrDefault(h => h.Letter);
        output.WriteLine($"Letters: {Billing.Storage.Documents.DocumentStore.Count(conn, Billing.Core.Documents.DocumentKind.Letter)} final-notice PDF(s) in {Path.GetFullPath(Path.Combine(rt.Config.Documents.Folder!, "letters"))}"
            + (letter is null ? "" : $"; {suspended}'s: BILLING_DATABASE=billing_demo billing dunning letter {letter.Invoice} --step {letter.Step}"));
        output.WriteLine($"Aging: BILLING_DATABASE=billing_demo billing aging --as-of {dueDate.PlusDays(31):uuuu-MM-dd}");
    }

    /// <summary>Credits sample-cdrs/topups.csv (a gateway export) before rating, so the prepaid samples have credit; idempotent on reference.</summary>
    private static int CreditSampleTopUps(Runtime rt, Npgsql.NpgsqlConnection conn, string samplesDir)
    {
        var file = Path.Combine(samplesDir, "topups.csv");
        if (!File.Exists(file))
        {
            return 0;
        }

        var (rows, errors) = Billing.Mediation.Imports.TopUpCsvReader.Read(file, rt.Config.Numbering);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"the demo's sample top-ups do not load: {string.Join("; ", errors.Select(e => $"{file}:{e.Line}: {e.Message}"))}");
        }

        var credited = rt.Jobs.TopUps()
            .Credit(conn, rows.Select(r => new Billing.Jobs.Prepaid.TopUpRequest(r.Msisdn, r.Amount, r.PaidAt, r.Reference, r.Note, r.Currency)).ToList());
        return credited.Count(c => c.Added);
    }

    private static void ShowWallets(Runtime rt, Npgsql.NpgsqlConnection conn, int topUps, Billing.Jobs.Rating.RatingRunResult rating, TextWriter output)
    {
        var wallets = WalletStore.Summaries(conn);
        if (wallets.Count == 0)
        {
            return;
        }

        output.WriteLine();
        // Every notice in the outbox so far: a receipt per top-up, then rating's; the delivery line below counts the same messages.
        var receipts = NotificationStore.CountByStatus(conn, kind: Billing.Core.Notifications.NotificationKinds.TopUp).Values.Sum();
        var queued = NotificationStore.CountByStatus(conn)[Billing.Core.Notifications.NotificationStatuses.Pending];
        output.WriteLine($"Prepaid: {topUps} top-up(s) credited from sample-cdrs/topups.csv, {receipts:N0} receipt(s) queued; rating debited {rating.WalletDebits:N0} record(s), " +
            $"{rating.Overdrafts:N0} went to overdraft, {rating.Notifications:N0} notification(s) queued.");
        var table = new TextTable("account", "msisdn", "balance", "barred since (UTC)", "overdraft", "notifications");
        foreach (var w in wallets)
        {
            table.Add(w.AccountId, "+" + w.Msisdn, w.Balance.ToString(), w.BarredSince?.ToString("uuuu-MM-dd HH:mm", null) ?? "",
                w.Overdraft.Amount == 0 ? "" : w.Overdraft.ToString(), w.Notifications);
        }

        output.Write(table.ToString());
        var delivered = rt.Jobs.DeliverNotifications().Run();
        var folder = rt.Config.Notifications.Channel == Billing.Notifications.NotificationChannelKind.File
            ? Path.GetFullPath(rt.Config.Notifications.Folder ?? Path.Combine(rt.Config.StateDirectory, "notifications"))
            : $"{rt.Config.Notifications.Smtp.Host} (SMTP)";
        output.WriteLine($"Notifications delivered: {delivered.Sent:N0} of the {queued:N0} queued ({receipts:N0} top-up receipt(s), {rating.Notifications:N0} from rating) to {folder}" +
            (delivered.NoAddress > 0 ? $", {delivered.NoAddress:N0} without an e-mail address" : "") + ".");
        output.WriteLine("A wallet's movements: BILLING_DATABASE=billing_demo billing wallets show 07700900103 · the outbox: BILLING_DATABASE=billing_demo billing notifications list");
    }

    /// <summary>sample-cdrs/ in the working directory or above it, or above the program.</summary>
    public static string? FindSamples()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "sample-cdrs");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Copies sample files (not their expectations) into incoming/, dated in the past so they count as settled.</summary>
    public static int CopySamples(string samplesDir, string drop)
    {
        var count = 0;
        foreach (var sourceDir in Directory.EnumerateDirectories(samplesDir).Order(StringComparer.Ordinal))
        {
            var target = Path.Combine(drop, "incoming", Path.GetFileName(sourceDir));
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(sourceDir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(".expected.json", StringComparison.Ordinal) || name.Equals("README.md", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var copy = Path.Combine(target, name);
                File.Copy(file, copy, overwrite: true);
                File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(file).AddMinutes(-1));
                count++;
            }
        }

        return count;
    }
}
