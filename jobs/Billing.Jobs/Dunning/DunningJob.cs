using Hangfire;
using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.Core.Documents;
using Billing.Core.Dunning;
using Billing.Core.Money;
using Billing.Core.Notifications;
using Billing.Jobs.Catalog;
using Billing.Jobs.Documents;
using Billing.Notifications;
using Billing.Storage;
using Billing.Storage.Documents;
using Billing.Storage.Dunning;
using Billing.Storage.Invoicing;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Serilog;

namespace Billing.Jobs.Dunning;

/// <summary>
/// The daily dunning run (compute, then apply): reads the accounts with something overdue (or
/// suspended) in batches, lets <see cref="DunningCalculator"/> decide, and applies each account's
/// steps in its own transaction — the account's row locked, its state read again and decided again,
/// then the steps recorded in <c>dunning_actions</c> (keyed by invoice and step) together with what
/// they do: messages into the outbox, a late fee as a one-time charge, suspension or reactivation of
/// its subscriptions, a letter's or hand-over's content. A letter is also drawn as PDF into the document
/// store and recorded in <c>documents</c> in the same transaction, before the e-mail that carries it as attachment (the file is written before the commit:
/// a run killed in between leaves a file that the rerun writes again, byte for byte). A run killed
/// mid-way leaves whole accounts done or untouched; running it again, or two at once, takes each step once.
/// </summary>
public sealed class DunningJob(BillingDatabase db, CatalogCache catalogs, Func<NotificationTemplates> templates, DunningOptions options, string agencyFolder, LetterWriter letters, IClock clock, IBackgroundJobClient? jobs = null)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new IsoDate() } };
    private static readonly LocalDatePattern Day = LocalDatePattern.Iso;

    /// <summary>
    /// The recurring job: enqueues the run of today (the UTC date) as a job of its own, named by its
    /// date — a retry or a requeue from the dashboard on a later day re-runs that date, not the new
    /// today. Without a job client (the command line) it runs at once.
    /// </summary>
    [DisplayName("Dunning of the day")]
    public string Daily()
    {
        var today = Day.Format(clock.GetCurrentInstant().InUtc().Date);
        if (jobs is null)
        {
            Of(today);
        }
        else
        {
            jobs.Enqueue<DunningJob>(j => j.Of(today));
        }

        return today;
    }

    /// <summary>The dunning run of <paramref name="asOf"/> (yyyy-MM-dd) under serve; its counts stay on the job's succeeded state.</summary>
    [DisplayName("Dunning {0}")]
    public DunningCounts Of(string asOf) => Run(Day.Parse(asOf).GetValueOrThrow(), dryRun: false, "serve").Counts();

    /// <summary>Decides (and unless <paramref name="dryRun"/>, applies) the ladder on <paramref name="asOf"/>; optionally for one account.</summary>
    public DunningReport Run(LocalDate asOf, bool dryRun, string by, string? account = null)
    {
        using var conn = db.Open();
        var policies = catalogs.InForce(conn, asOf.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant())?.Catalog.Dunning ?? DunningPolicies.None;
        var layouts = templates();
        var missing = policies.Templates.Where(t => !layouts.Has(t)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"dunning.csv names notification layouts that {layouts.Folder} lacks (in English, the fallback): {string.Join(", ", missing)}");
        }

        long? runId = dryRun ? null : DunningStore.StartRun(conn, asOf, by);
        if (!dryRun && letters.Folder.SweepTemporary([Core.Documents.DocumentKind.Letter]) is > 0 and var swept)
        {
            Log.ForContext<DunningJob>().Information("Removed {Count} temporary file(s) a killed run left in {Folder}", swept, letters.Folder.Root);
        }

        var applied = new List<AccountDunning>();
        var suspended = new Dictionary<string, int>(StringComparer.Ordinal);
        var reactivated = new List<string>();
        var evaluated = 0;
        var after = "";
        // Without a ladder nobody is chased, but an account that paid still gets its service back: the calculator reactivates
        // it whatever the policies, so the accounts are read even then.
        while (true)
        {
            var ids = DunningStore.Candidates(conn, asOf, after, options.BatchSize, account);
            if (ids.Count == 0)
            {
                break;
            }

            after = ids[^1];
            evaluated += ids.Count;
            JobProgress.Report(string.Create(CultureInfo.InvariantCulture, $"{evaluated:N0} accounts evaluated, {applied.Count:N0} with steps due"));
            var state = DunningStore.Load(conn, ids, asOf);
            foreach (var row in state.Accounts)
            {
                var (_, decision) = Decide(state, row, policies, asOf);
                if (!decision.HasWork)
                {
                    continue;
                }

                if (dryRun)
                {
                    applied.Add(decision);
                    continue;
                }

                if (Apply(conn, row.Id, policies, asOf, runId!.Value, layouts, letters) is { } done)
                {
                    applied.Add(done.Decision);
                    if (done.Suspended > 0)
                    {
                        suspended[row.Id] = done.Suspended;
                    }

                    if (done.Reactivated)
                    {
                        reactivated.Add(row.Id);
                    }
                }
            }
        }

        var file = dryRun ? null : WriteAgencyFile(conn, asOf);
        var report = new DunningReport(asOf, dryRun, runId, evaluated, applied, suspended, reactivated, file,
            policies.IsEmpty ? "the catalogue in force has no dunning.csv: nobody is chased (load a catalogue with one, see README)" : null);
        if (runId is { } id)
        {
            DunningStore.FinishRun(conn, new DunningRunRow
            {
                Id = id,
                Accounts = evaluated,
                AccountsMoved = applied.Count,
                Actions = JsonSerializer.Serialize(report.ActionsTaken),
                Skipped = report.Skipped,
                Fees = JsonSerializer.Serialize(report.Fees.ToDictionary(f => f.Key, f => f.Value.ToString(CultureInfo.InvariantCulture))),
                Suspensions = report.Suspensions,
                Reactivations = reactivated.Count,
                AgencyFile = file,
            });
        }

        Log.ForContext<DunningJob>().Information(
            "Dunning {AsOf}{Dry}: {Accounts} account(s) evaluated, {Moved} moved, {Taken} step(s) taken, {Skipped} skipped, {Suspended} suspended, {Reactivated} reactivated",
            asOf, dryRun ? " (dry run)" : "", evaluated, applied.Count, report.ActionsTaken.Values.Sum(), report.Skipped, report.Suspensions, reactivated.Count);
        return report;
    }

    private static (DunningAccount Account, AccountDunning Decision) Decide(DunningState state, DunningAccountRow row, DunningPolicies policies, LocalDate asOf)
    {
        var currency = Currency.Of(row.Currency);
        var items = state.Invoices[row.Id]
            .Select(i => new DunningItem(i.Id, i.Number, i.IssueDate, i.DueDate, Money.Of(i.Total, i.Currency), Money.Of(i.Total - i.Outstanding, i.Currency), state.Held.Contains(i.Id)))
            .ToList();
        var recorded = state.Recorded[row.Id].Select(r => new StepRecorded(r.InvoiceId, r.Step)).ToList();
        var account = new DunningAccount(row.Id, row.Segment, currency, items, new Money(state.Unallocated.GetValueOrDefault(row.Id), currency), recorded,
            state.PausedUntil.TryGetValue(row.Id, out var until) ? until : null, state.Suspended.Contains(row.Id));
        return (account, DunningCalculator.Decide(account, policies, asOf));
    }

    private sealed record Applied(AccountDunning Decision, int Suspended, bool Reactivated);

    /// <summary>One account in one transaction: lock, read again, decide again, record and perform. Null: nothing left to do.</summary>
    private static Applied? Apply(NpgsqlConnection conn, string accountId, DunningPolicies policies, LocalDate asOf, long runId, NotificationTemplates layouts, LetterWriter letters)
    {
        using var tx = conn.BeginTransaction();
        var state = DunningStore.LockAndLoad(tx, accountId, asOf);
        if (state.Accounts.Count == 0)
        {
            return null;
        }

        var row = state.Accounts[0];
        var (account, decision) = Decide(state, row, policies, asOf);
        if (!decision.HasWork)
        {
            tx.Commit();
            return null;
        }

        var notices = new List<NewNotification>();
        var charges = new List<AccountChargeIn>();
        var documents = new List<RenderedDocument>();
        var contents = decision.Steps.Where(s => s.Outcome == StepOutcome.Take)
            .ToDictionary(s => (s.Invoice.InvoiceId, s.Step.Id), s => Content(row, account, decision, policies, s));
        var suspendedCount = 0;
        foreach (var s in decision.Steps.Where(s => s.Outcome == StepOutcome.Take))
        {
            switch (s.Step.Action)
            {
                case DunningActionKind.Email:
                    notices.Add(Notice(layouts, row, decision, s, s.Step.Template!, StepKey(s)));
                    break;
                case DunningActionKind.Letter:
                    // The PDF is in the document store, for the post and the portal, and goes with the e-mail as its attachment
                    // (recorded in documents below, before the outbox row that refers to it).
                    var letter = letters.Write((DunningLetter)contents[(s.Invoice.InvoiceId, s.Step.Id)]!);
                    documents.Add(letter);
                    notices.Add(Notice(layouts, row, decision, s, s.Step.Template!, StepKey(s)) with { Attachment = new AttachmentRef(letter.Kind.Code(), letter.Number) });
                    break;
                case DunningActionKind.Fee when s.Fee.Amount > 0m:
                    charges.Add(new AccountChargeIn(row.Id, "one-time", s.Fee.Amount, s.Fee.Currency.Code, $"Late payment fee: invoice {s.Invoice.Number}",
                        s.Step.TaxCategory, null, asOf, ChargeReference(s)));
                    break;
                case DunningActionKind.Suspend:
                    var count = DunningStore.Suspend(tx, row.Id, s.Invoice.InvoiceId, s.Step.Id, asOf, $"dunning: invoice {s.Invoice.Number} {s.DaysPastDue} days overdue");
                    if (count > 0)
                    {
                        suspendedCount += count;
                        notices.Add(Notice(layouts, row, decision, s, NotificationKinds.DunningSuspended, $"dunning-suspended:{s.Invoice.InvoiceId}:{s.Step.Id}"));
                    }

                    break;
            }
        }

        var chargeIds = AccountChargeStore.Add(tx, charges, "dunning").Where(c => c.Reference is not null).ToDictionary(c => c.Reference!, c => c.Id, StringComparer.Ordinal);
        DunningStore.Record(tx, [.. decision.Steps.Select(s => new DunningActionIn(
            s.Invoice.InvoiceId, s.Step.Id, row.Id, s.Step.Action.Code(), s.Outcome == StepOutcome.Take ? "taken" : "skipped", asOf, s.DaysPastDue, s.Overdue.Amount,
            s.Overdue.Currency.Code, s.Step.Action == DunningActionKind.Fee && s.Outcome == StepOutcome.Take ? s.Fee.Amount : null,
            chargeIds.TryGetValue(ChargeReference(s), out var charge) ? charge : null,
            s.Outcome == StepOutcome.Take && s.Step.Action is DunningActionKind.Email or DunningActionKind.Letter ? StepKey(s) : null,
            contents.GetValueOrDefault((s.Invoice.InvoiceId, s.Step.Id)) is { } content ? JsonSerializer.Serialize(content, content.GetType(), Json) : null, runId))]);
        DocumentStore.Record(conn, documents, tx);

        var reactivated = false;
        if (decision.Reactivate)
        {
            var lifted = DunningStore.Reactivate(tx, row.Id, asOf, "nothing overdue any more");
            if (lifted.Count > 0)
            {
                reactivated = true;
                notices.Add(DunningNoticeRenderer.Render(layouts, new DunningNotice(NotificationKinds.DunningReactivated, row.Id, row.Name, row.Language, row.Currency,
                    asOf, 0m, $"dunning-reactivated:{lifted.Min()}")));
            }
        }

        NotificationStore.Enqueue(tx, notices);
        tx.Commit();
        return new Applied(decision, suspendedCount, reactivated);
    }

    private static string StepKey(StepDue s) => $"dunning:{s.Invoice.InvoiceId}:{s.Step.Id}";

    private static string ChargeReference(StepDue s) => $"dunning:{s.Invoice.Number}:{s.Step.Id}";

    private static NewNotification Notice(NotificationTemplates layouts, DunningAccountRow row, AccountDunning decision, StepDue s, string kind, string key)
    {
        // A fee taken for the same invoice on the same day is named in the message that goes with it.
        var fee = decision.Steps.Where(f => f.Invoice.InvoiceId == s.Invoice.InvoiceId && f.Outcome == StepOutcome.Take).Sum(f => f.Fee.Amount);
        return DunningNoticeRenderer.Render(layouts, new DunningNotice(kind, row.Id, row.Name, row.Language, row.Currency, decision.AsOf, decision.Overdue.Amount, key,
            s.Invoice.Number, s.Invoice.DueDate, s.DaysPastDue, s.Overdue.Amount, fee));
    }

    /// <summary>What a letter says or what the agency receives, as recorded with the step; null for other actions.</summary>
    private static object? Content(DunningAccountRow row, DunningAccount account, AccountDunning decision, DunningPolicies policies, StepDue s) => s.Step.Action switch
    {
        DunningActionKind.Letter => Letter(row, account, decision, policies, s),
        DunningActionKind.Agency => new AgencyHandOver(row.Id, row.Name, row.BillingAddress, row.Email, s.Invoice.Number, s.Invoice.IssueDate,
            s.Invoice.DueDate, s.DaysPastDue, s.Overdue.Amount, s.Overdue.Currency.Code, decision.AsOf),
        _ => null,
    };

    /// <summary>The letter of a step: the account's overdue invoices as the ladder sees them, and the invoice's next step on the ladder and its date.</summary>
    private static DunningLetter Letter(DunningAccountRow row, DunningAccount account, AccountDunning decision, DunningPolicies policies, StepDue s)
    {
        var overdue = account.Items.Where(i => !i.Held && i.DueDate < decision.AsOf && i.Outstanding.Amount > 0m)
            .OrderBy(i => i.DueDate).ThenBy(i => i.Number, StringComparer.Ordinal)
            .Select(i => new LetterInvoice(i.Number, i.IssueDate, i.DueDate, Period.Between(i.DueDate, decision.AsOf, PeriodUnits.Days).Days, i.Outstanding.Amount))
            .ToList();
        var next = policies.For(account.Segment)?.Steps.FirstOrDefault(n => n.Days > s.DaysPastDue);
        return new DunningLetter(row.Id, row.Name, row.BillingAddress, row.Language, s.Step.Id, s.Step.Template!, decision.AsOf, s.Invoice.Number,
            s.Invoice.IssueDate, s.Invoice.DueDate, s.DaysPastDue, s.Invoice.Total.Amount, s.Overdue.Amount, decision.Overdue.Amount, s.Overdue.Currency.Code,
            overdue, next?.Action.Code(), next is null ? null : s.Invoice.DueDate.PlusDays(next.Days));
    }

    /// <summary>A recorded letter and its PDF: the bytes drawn from the record, and the document store's file (<paramref name="Rewritten"/>: written and recorded again now).</summary>
    public sealed record LetterPdf(DunningLetter Letter, byte[] Pdf, RenderedDocument File, bool Rewritten);

    /// <summary>
    /// The letter recorded for an invoice's step, drawn again from its record, and its file in the document
    /// store — written and recorded again when the store lacks it or holds other bytes. Null: no such letter.
    /// </summary>
    public LetterPdf? Letter(string invoice, string step)
    {
        using var conn = db.Open();
        if (DunningStore.Letter(conn, invoice, step) is not { } json)
        {
            return null;
        }

        var letter = ReadLetter(json);
        var pdf = letters.Render(letter);
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        if (DocumentStore.Find(conn, DunningLetter.NumberOf(invoice, step), Core.Documents.DocumentKind.Letter) is { } stored && stored.Sha256 == sha
            && File.Exists(stored.Path) && Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(stored.Path))) == sha)
        {
            return new LetterPdf(letter, pdf, stored, false);
        }

        var written = letters.Write(letter);
        DocumentStore.Record(conn, [written]);
        return new LetterPdf(letter, pdf, written, true);
    }

    /// <summary>A letter as it is recorded with its step (JSON).</summary>
    public static string WriteLetter(DunningLetter letter) => JsonSerializer.Serialize(letter, Json);

    /// <summary>Reads a letter recorded with its step (<see cref="DunningStore.Letter"/>).</summary>
    public static DunningLetter ReadLetter(string json) => JsonSerializer.Deserialize<DunningLetter>(json, Json)
        ?? throw new InvalidDataException("a recorded letter is empty");

    /// <summary>Dates as ISO text (yyyy-MM-dd) in recorded content.</summary>
    private sealed class IsoDate : System.Text.Json.Serialization.JsonConverter<LocalDate>
    {
        public override LocalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Day.Parse(reader.GetString()!).GetValueOrThrow();

        public override void Write(Utf8JsonWriter writer, LocalDate value, JsonSerializerOptions options) => writer.WriteStringValue(Day.Format(value));
    }

    /// <summary>The recorded hand-over's fields, in the file's column order.</summary>
    private static readonly string[] AgencyFields =
        ["accountId", "name", "billingAddress", "email", "invoice", "issueDate", "dueDate", "daysPastDue", "overdue", "currency", "handedOverOn"];

    public static readonly string[] AgencyColumns =
        ["account_id", "name", "billing_address", "email", "invoice", "issue_date", "due_date", "days_past_due", "overdue", "currency", "handed_over_on"];

    /// <summary>
    /// The day's hand-over file, written whole from what is recorded for the day (so a rerun or a run
    /// after a kill writes the complete file), atomically (a temporary file renamed). Null: none today.
    /// </summary>
    private string? WriteAgencyFile(NpgsqlConnection conn, LocalDate asOf)
    {
        // One writer of the day's file at a time (its temporary name is fixed): the second reads the hand-overs after the first is done.
        using var tx = conn.BeginTransaction();
        DunningStore.LockAgencyFile(tx, asOf);
        var rows = DunningStore.AgencyHandOvers(conn, asOf, tx);
        if (rows.Count == 0)
        {
            return null;
        }

        // Names, addresses and debts: readable by the owner only (0600, the folder 0700), like the letters and the notification files.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(agencyFolder);
        }
        else
        {
            Directory.CreateDirectory(agencyFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var path = Path.Combine(agencyFolder, $"agency-{Day.Format(asOf)}.csv");
        var text = new StringBuilder().AppendLine(string.Join(',', AgencyColumns));
        foreach (var json in rows)
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            var currency = Billing.Core.Money.Currency.Of(r.GetProperty("currency").GetString()!);
            string Field(string name) => r.GetProperty(name) switch
            {
                { ValueKind: JsonValueKind.Null } => "",
                // The debt to the currency's minor unit (36.00), as the invoice and the letter show it.
                { ValueKind: JsonValueKind.Number } n when name == "overdue" => n.GetDecimal().ToString("F" + currency.MinorUnit.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                { ValueKind: JsonValueKind.Number } n => n.GetDecimal().ToString(CultureInfo.InvariantCulture),
                var v => AsText(v.ToString()),
            };
            text.AppendLine(string.Join(',', AgencyFields.Select(f => Csv(Field(f)))));
        }

        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        File.Delete(temp); // one a killed run left keeps its mode when opened again; the mode is set only on creation
        using (var writer = new StreamWriter(temp, new UTF8Encoding(false), options))
        {
            writer.Write(text.ToString());
        }

        File.Move(temp, path, overwrite: true);
        tx.Commit();
        return path;
    }

    /// <summary>
    /// A text field a spreadsheet would take for a formula (it begins with =, +, - or @, or a tab or carriage return before
    /// one) starts with an apostrophe, which the agency's spreadsheet reads as "this is text" (CSV injection).
    /// </summary>
    private static string AsText(string field) => field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + field : field;

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
