using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Cycles;
using Billing.Jobs.Invoicing;
using Billing.Storage.Invoicing;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>billing bill-run DATE | approve | discard | show | list.</summary>
public static class BillRunCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var date = new Argument<string>("date") { Description = "Run date (yyyy-MM-dd): closes the cycles that end at local midnight starting it, for accounts whose cycle day is its day" };
        var account = new Option<string?>("--account") { Description = "Only this account" };
        var approve = new Option<bool>("--approve") { Description = "Approve the drafts at once (for schedules): issue them with their numbers" };
        var run = new Argument<string>("run") { Description = "The run: its date (2026-12-01) or its number" };
        var limit = new Option<int>("--limit") { Description = "How many runs, newest first", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var billRun = new Command("bill-run", "Close the bill cycles ending on DATE: compute draft invoices and print the run report (approve or discard it next)") { date, account, approve };
        billRun.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(date)!, p.GetValue(account), p.GetValue(approve), Console.Out)));
        var approveCommand = new Command("approve", "Issue every draft of a run: recomputed first; gapless numbers; a draft that changed since it was computed waits for review") { run };
        approveCommand.SetAction(p => cli.Run(p, g => Approve(g, p.GetValue(run)!, Console.Out)));
        var discard = new Command("discard", "Drop a run's drafts (issued invoices stay)") { run };
        discard.SetAction(p => cli.Run(p, g => Discard(g, p.GetValue(run)!, Console.Out)));
        var show = new Command("show", "A run's report: where it stands, totals per currency, every invoice, warnings and errors") { run };
        show.SetAction(p => cli.Run(p, g => Show(g, p.GetValue(run)!, Console.Out)));
        var list = new Command("list", "Bill runs, newest first") { limit };
        list.SetAction(p => cli.Run(p, g => List(g, p.GetValue(limit), Console.Out)));
        billRun.Subcommands.Add(approveCommand);
        billRun.Subcommands.Add(discard);
        billRun.Subcommands.Add(show);
        billRun.Subcommands.Add(list);
        return billRun;
    }

    public static BillRunJob Job(Runtime rt, IClock? clock = null) => rt.Jobs.BillRun(clock);

    /// <summary>billing bill-run DATE [--account ID] [--approve]: plan, draft every batch, print the report; approve too with --approve.</summary>
    public static int Run(GlobalOptions g, string dateText, string? account, bool approve, TextWriter output, IClock? clock = null)
    {
        var date = Date(dateText);
        using var rt = Runtime.Start(g);
        var job = Job(rt, clock);
        var planned = job.Plan(date, account, Environment.UserName);
        if (account is not null && planned.Batches.Count == 0 && planned.NotEnded.Count == 0)
        {
            using var c = rt.Db.Open();
            throw new UserErrorException(Billing.Storage.AccountStore.TimeZones(c, [account]).Count == 0
                ? $"No account '{account}'."
                : $"Account {account} has nothing to bill on {dateText}: its cycle day is not {date.Day}, or its invoice for the cycle ending {dateText} is issued already.");
        }

        job.DraftAll(planned.Run.Id, Progress(g, "drafting"));
        IReadOnlyList<BatchOutcome>? approval = approve ? job.ApproveAll(planned.Run.Id, Progress(g, "approving")) : null;
        return Report(g, rt, planned.Run.Id, output, planned.NotEnded, approval);
    }

    public static int Approve(GlobalOptions g, string run, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var found = Find(rt, run);
        var outcomes = Job(rt).ApproveAll(found.Id, Progress(g, "approving"));
        return Report(g, rt, found.Id, output, [], outcomes);
    }

    public static int Discard(GlobalOptions g, string run, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var found = Find(rt, run);
        var dropped = Job(rt).Discard(found.Id);
        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { run = found.Id, runDate = Iso(found.RunDate), discarded = dropped }, BillingConfig.Json)
            : $"Bill run {Iso(found.RunDate)} (#{found.Id}): {dropped} draft(s) discarded; issued invoices are unchanged. `billing bill-run {Iso(found.RunDate)}` drafts again.");
        return 0;
    }

    public static int Show(GlobalOptions g, string run, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        return Report(g, rt, Find(rt, run).Id, output, [], null);
    }

    public static int List(GlobalOptions g, int limit, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var runs = BillRunStore.Summaries(conn, limit);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(runs.Select(r => new { run = r.Id, runDate = Iso(r.RunDate), drafts = r.Drafts, issued = r.Issued }), BillingConfig.Json));
            return 0;
        }

        var table = new TextTable("run", "date", "cycle", "drafts", "issued", "created by");
        foreach (var r in runs)
        {
            table.Add($"#{r.Id}", Iso(r.RunDate), BillCycle.EndingOn(r.RunDate).ToString(), r.Drafts, r.Issued, r.CreatedBy);
        }

        output.Write(runs.Count == 0 ? "No bill runs yet: `billing bill-run DATE` makes one.\n" : table.ToString());
        return 0;
    }

    private static BillRun Find(Runtime rt, string run)
    {
        using var conn = rt.Db.Open();
        return BillRunStore.Find(conn, run) ?? throw new UserErrorException($"No bill run '{run}' (give its number or its date, e.g. 2026-12-01; `billing bill-run list`).");
    }

    /// <summary>A date bill cycles end on (day 1–28); <paramref name="name"/> and <paramref name="meaning"/> say in errors what it is.</summary>
    internal static LocalDate Date(string text, string name = "DATE", string meaning = "the run closes the cycles that end at local midnight starting it")
    {
        var parsed = LocalDatePattern.Iso.Parse(text);
        if (!parsed.Success)
        {
            throw new UserErrorException($"{name} '{text}' is not a date (yyyy-MM-dd): {meaning}.");
        }

        if (parsed.Value.Day > 28)
        {
            throw new UserErrorException($"{name} '{text}': bill cycles start on day 1–28, so no cycle ends on day {parsed.Value.Day}.");
        }

        if (Checked.OutOfRange(parsed.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant()) is { } range)
        {
            throw new UserErrorException($"DATE '{text}' {range}.");
        }

        return parsed.Value;
    }

    private static Action<int, int>? Progress(GlobalOptions g, string what) =>
        ProgressLine.For(g, what, "batches") is { } line ? (done, total) => line.Report(done, total) : null;

    private static string Iso(LocalDate d) => d.ToString("uuuu-MM-dd", Inv);

    /// <summary>An amount as people read it: the currency's minor unit.</summary>
    public static string Amount(decimal amount, string currency) =>
        new Billing.Core.Money.Money(amount, Billing.Core.Money.Currency.Of(currency.Trim())).RoundToMinorUnit().Amount
            .ToString("N" + Billing.Core.Money.Currency.Of(currency.Trim()).MinorUnit, Inv);

    private static string Decimal(decimal d) => d.ToString(Inv);

    /// <summary>The run report (text, or JSON with --json): where the run stands, its invoices with the change against the previous one, totals per currency, warnings.</summary>
    internal static int Report(GlobalOptions g, Runtime rt, long runId, TextWriter output, IReadOnlyList<string> notEnded, IReadOnlyList<BatchOutcome>? approval)
    {
        using var conn = rt.Db.Open();
        var report = BillRunReport.Read(conn, runId)!;
        var (run, cycle, status, invoices, totals) = (report.Run, report.Cycle, report.Status, report.Invoices, report.Totals);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                run = run.Id,
                runDate = Iso(run.RunDate),
                cycleStart = Iso(cycle.Start),
                cycleEnd = Iso(cycle.End),
                status,
                batches = new { total = report.Batches, drafted = report.Drafted, approved = report.Approved },
                notEnded,
                approval = approval is null ? null : new { issued = approval.Sum(a => a.Issued), changedSinceDraft = approval.Sum(a => a.Changed), withErrors = approval.Sum(a => a.WithErrors) },
                totals = totals.Select(t => new { currency = t.Currency, status = t.Status, invoices = t.Invoices, subtotal = Decimal(t.Subtotal), tax = Decimal(t.Tax), total = Decimal(t.Total), amountDue = Decimal(t.AmountDue) }),
                invoices = invoices.Select(i => new
                {
                    account = i.AccountId,
                    name = i.Name,
                    status = i.Status,
                    number = i.Number,
                    currency = i.Currency.Trim(),
                    subtotal = Decimal(i.Subtotal),
                    tax = Decimal(i.Tax),
                    total = Decimal(i.Total),
                    amountDue = Decimal(i.AmountDue),
                    previousTotal = i.PreviousTotal is { } p ? Decimal(p) : null,
                    change = i.PreviousTotal is { } q ? Decimal(i.Total - q) : null,
                    warnings = BillRunReport.Messages(i.Warnings),
                    errors = BillRunReport.Messages(i.Errors),
                    changedSinceDraft = i.ChangedSinceDraft,
                }),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"Bill run {Iso(run.RunDate)} (#{run.Id}): cycles {cycle} of accounts with cycle day {run.RunDate.Day}; {status}; " +
            $"{report.Drafted}/{report.Batches} batch(es) drafted.");
        if (notEnded.Count > 0)
        {
            output.WriteLine($"Not billed yet — their cycle has not ended (local midnight of {Iso(run.RunDate)} is still to come): {string.Join(", ", notEnded)}.");
        }

        if (approval is not null)
        {
            output.WriteLine($"Approval: {approval.Sum(a => a.Issued)} invoice(s) issued; {approval.Sum(a => a.Changed)} changed since the draft (review and approve again); {approval.Sum(a => a.WithErrors)} with errors left as drafts.");
        }

        if (invoices.Count == 0)
        {
            output.WriteLine("No invoices in this run.");
            return 0;
        }

        var table = new TextTable("account", "name", "status", "number", "currency", "subtotal", "tax", "total", "amount due", "previous", "change");
        foreach (var i in invoices)
        {
            var c = i.Currency.Trim();
            table.Add(i.AccountId, i.Name, i.Status + (i.ChangedSinceDraft ? " (changed)" : ""), i.Number ?? "", c, Amount(i.Subtotal, c), Amount(i.Tax, c), Amount(i.Total, c),
                Amount(i.AmountDue, c), i.PreviousTotal is { } p ? Amount(p, c) : "", i.PreviousTotal is { } q ? (i.Total - q >= 0 ? "+" : "") + Amount(i.Total - q, c) : "");
        }

        output.Write(table.ToString());
        foreach (var t in totals)
        {
            output.WriteLine($"Total {t.Status} {t.Currency}: {t.Invoices} invoice(s), subtotal {Amount(t.Subtotal, t.Currency)}, tax {Amount(t.Tax, t.Currency)}, total {Amount(t.Total, t.Currency)}, amount due {Amount(t.AmountDue, t.Currency)}.");
        }

        foreach (var i in invoices)
        {
            foreach (var w in BillRunReport.Messages(i.Warnings))
            {
                output.WriteLine($"  warning {i.AccountId}: {w}");
            }

            foreach (var e in BillRunReport.Messages(i.Errors))
            {
                output.WriteLine($"  ERROR {i.AccountId}: {e} — not issued until fixed (then `billing bill-run {Iso(run.RunDate)}` again)");
            }
        }

        if (invoices.Any(i => i.Status == "draft"))
        {
            output.WriteLine($"Next: `billing bill-run approve {Iso(run.RunDate)}` issues the drafts; `billing bill-run discard {Iso(run.RunDate)}` drops them.");
        }

        return 0;
    }
}
