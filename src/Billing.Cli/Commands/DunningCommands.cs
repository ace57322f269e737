using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Core.Dunning;
using Billing.Jobs.Dunning;
using Billing.Storage.Dunning;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>
/// billing dunning --as-of DATE [--dry-run]: the collections ladder (<see cref="DunningJob"/>); and its
/// history, runs, promises to pay (pause, resume), disputes (hold, release) and recorded letters.
/// </summary>
public static class DunningCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var asOf = Checked.Date("--as-of", "The run's date (yyyy-MM-dd): an invoice due on D is 1 day past due on D + 1", required: true);
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the steps due and record nothing: no message, fee, suspension or file" };
        var account = new Option<string?>("--account") { Description = "Only this account" };
        var dunning = new Command("dunning", """
            Move every overdue account along the catalogue's ladder (dunning.csv) on DATE: reminders, letters, late fees, suspension,
            agency hand-over; reactivate the accounts that paid. Each step happens once per invoice, whatever is re-run; of the steps
            missed while no run ran only the highest is taken, the others recorded as skipped
            """) { asOf, dryRun, account };
        dunning.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(asOf)!.Value, p.GetValue(dryRun), p.GetValue(account), Console.Out)));

        var historyAccount = new Option<string?>("--account") { Description = "Only this account" };
        var limit = new Option<int>("--limit") { Description = "At most this many rows, newest first", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var history = new Command("history", "Steps taken and skipped per invoice, suspensions and reactivations, newest first") { historyAccount, limit };
        history.SetAction(p => cli.Run(p, g => History(g, p.GetValue(historyAccount), p.GetValue(limit), Console.Out)));

        var runsLimit = new Option<int>("--limit") { Description = "At most this many runs, newest first", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var runs = new Command("runs", "The run reports: accounts, steps by action, skipped, fees, suspensions, reactivations, the agency file") { runsLimit };
        runs.SetAction(p => cli.Run(p, g => Runs(g, p.GetValue(runsLimit), Console.Out)));

        var pauseAccount = new Argument<string>("account") { Description = "Account id" };
        var until = Checked.Date("--until", "The promised date: no step through it; the day after, the ladder resumes at the step due then", required: true);
        var note = new Option<string?>("--note") { Description = "What was promised (kept with the pause)" };
        var pause = new Command("pause", "A promise to pay: no dunning step for the account until DATE (inclusive); replaces an open promise") { pauseAccount, until, note };
        pause.SetAction(p => cli.Run(p, g => Pause(g, p.GetValue(pauseAccount)!, p.GetValue(until)!.Value, p.GetValue(note) ?? "", Console.Out)));

        var resumeAccount = new Argument<string>("account") { Description = "Account id" };
        var resume = new Command("resume", "End the account's promise to pay now: the next run takes the step due") { resumeAccount };
        resume.SetAction(p => cli.Run(p, g => Resume(g, p.GetValue(resumeAccount)!, Console.Out)));

        var holdInvoice = new Argument<string>("invoice") { Description = "Invoice number" };
        var reason = new Option<string>("--reason") { Description = "Why the invoice is disputed", Required = true }.NotBlank("the dispute's reason is kept");
        var hold = new Command("hold", "Take a disputed invoice out of the ladder until released") { holdInvoice, reason };
        hold.SetAction(p => cli.Run(p, g => Hold(g, p.GetValue(holdInvoice)!, p.GetValue(reason)!, Console.Out)));

        var releaseInvoice = new Argument<string>("invoice") { Description = "Invoice number" };
        var release = new Command("release", "Put a disputed invoice back on the ladder: the next run takes the step due then") { releaseInvoice };
        release.SetAction(p => cli.Run(p, g => Release(g, p.GetValue(releaseInvoice)!, Console.Out)));

        var letterInvoice = new Argument<string>("invoice") { Description = "Invoice number" };
        var letterStep = new Option<string>("--step") { Description = "The letter step (default: final-notice)", DefaultValueFactory = _ => "final-notice" };
        var letterOut = new Option<string?>("--out") { Description = "Also write the letter's PDF to this file" };
        var letter = new Command("letter", """
            The letter recorded for an invoice's step: to whom, which invoice, how much overdue, and its PDF in the document store
            (written again if the store lacks it or holds other bytes; drawing it again gives the same bytes)
            """) { letterInvoice, letterStep, letterOut };
        letter.SetAction(p => cli.Run(p, g => Letter(g, p.GetValue(letterInvoice)!, p.GetValue(letterStep)!, p.GetValue(letterOut), Console.Out)));

        dunning.Subcommands.Add(history);
        dunning.Subcommands.Add(runs);
        dunning.Subcommands.Add(pause);
        dunning.Subcommands.Add(resume);
        dunning.Subcommands.Add(hold);
        dunning.Subcommands.Add(release);
        dunning.Subcommands.Add(letter);
        return dunning;
    }

    public static int Run(GlobalOptions g, LocalDate asOf, bool dryRun, string? account, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        DunningReport report;
        try
        {
            report = rt.Jobs.Dunning().Run(asOf, dryRun, Environment.UserName, account);
        }
        catch (InvalidDataException e)
        {
            throw new UserErrorException(e.Message);
        }

        output.Write(g.Json ? JsonSerializer.Serialize(Json(report), BillingConfig.Json) + "\n" : Text(report));
        return 0;
    }

    private static string Day(LocalDate d) => LocalDatePattern.Iso.Format(d);

    private static string Outcome(StepOutcome o) => o == StepOutcome.Take ? "taken" : "skipped";

    private static object Json(DunningReport r) => new
    {
        asOf = Day(r.AsOf),
        dryRun = r.DryRun,
        runId = r.RunId,
        note = r.NoPolicy,
        accounts = r.Accounts,
        accountsMoved = r.Applied.Count,
        actions = r.ActionsTaken,
        skipped = r.Skipped,
        fees = r.Fees.ToDictionary(f => f.Key, f => MoneyText.Json(f.Value, f.Key), StringComparer.Ordinal),
        suspensions = r.Suspensions,
        reactivations = r.Reactivated.Count,
        agencyFile = r.AgencyFile,
        moves = r.Applied.Select(a => new
        {
            account = a.AccountId,
            overdue = MoneyText.Json(a.Overdue.Amount, a.Overdue.Currency.Code),
            currency = a.Overdue.Currency.Code,
            reactivate = a.Reactivate,
            steps = a.Steps.Select(s => new
            {
                invoice = s.Invoice.Number,
                step = s.Step.Id,
                action = s.Step.Action.Code(),
                outcome = Outcome(s.Outcome),
                daysPastDue = s.DaysPastDue,
                overdue = MoneyText.Json(s.Overdue.Amount, s.Overdue.Currency.Code),
                fee = s.Fee.Amount > 0m ? MoneyText.Json(s.Fee.Amount, s.Fee.Currency.Code) : null,
            }),
        }),
    };

    private static string Text(DunningReport r)
    {
        var text = new StringBuilder();
        if (r.NoPolicy is { } none && r.Applied.Count == 0)
        {
            return text.AppendLine(CultureInfo.InvariantCulture, $"Dunning on {Day(r.AsOf)}: {none}.").ToString();
        }

        text.AppendLine(Inv, $"Dunning on {Day(r.AsOf)}{(r.DryRun ? " (dry run: nothing recorded, sent, charged or suspended)" : $" (run {r.RunId})")}: " +
            $"{r.Accounts:N0} account(s) with something overdue or suspended, {r.Applied.Count:N0} moved.");
        if (r.Applied.Count > 0)
        {
            var table = new TextTable("account", "invoice", "step", "action", "outcome", "days", "overdue", "fee");
            foreach (var a in r.Applied)
            {
                foreach (var s in a.Steps)
                {
                    table.Add(a.AccountId, s.Invoice.Number, s.Step.Id, s.Step.Action.Code(), Outcome(s.Outcome), s.DaysPastDue,
                        BillRunCommands.Amount(s.Overdue.Amount, s.Overdue.Currency.Code), s.Fee.Amount > 0m ? BillRunCommands.Amount(s.Fee.Amount, s.Fee.Currency.Code) : "");
                }

                if (a.Reactivate)
                {
                    table.Add(a.AccountId, "", "", "reactivate", r.DryRun || r.Reactivated.Contains(a.AccountId) ? "taken" : "", "", "", "");
                }
            }

            text.Append(table.ToString());
        }

        return text.AppendLine(Summary(r)).ToString();
    }

    /// <summary>One line: the steps taken by action, skipped, fees, and (unless a dry run) suspensions, reactivations and the agency file.</summary>
    public static string Summary(DunningReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.NoPolicy is { } none)
        {
            // Without a ladder the run only reactivates the accounts that paid.
            return r.Reactivated.Count == 0 || r.DryRun ? none + "." : $"{none}; reactivated: {r.Reactivated.Count} account(s).";
        }

        var actions = r.ActionsTaken.Count == 0 ? "none" : string.Join(", ", r.ActionsTaken.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}"));
        var fees = r.Fees.Count == 0 ? "none" : string.Join(", ", r.Fees.Select(f => $"{BillRunCommands.Amount(f.Value, f.Key)} {f.Key}"));
        var line = $"Steps taken: {actions}; skipped: {r.Skipped}; late fees: {fees}.";
        if (r.DryRun)
        {
            return line;
        }

        var file = r.AgencyFile is { } path ? $" Agency hand-over file: {path}" : "";
        return line + $" Suspended: {r.Suspensions} account(s) ({r.SuspendedSubscriptions.Values.Sum()} subscription(s)); reactivated: {r.Reactivated.Count} account(s).{file}";
    }

    public static int History(GlobalOptions g, string? account, int limit, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var rows = DunningStore.History(conn, account, limit);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows.Select(h => new
            {
                account = h.AccountId,
                date = Day(h.Date),
                @event = h.Event,
                invoice = h.Invoice,
                step = h.Step,
                outcome = h.Outcome,
                daysPastDue = h.DaysPastDue,
                overdue = h.Overdue is { } o && h.Currency is { } c ? MoneyText.Json(o, c) : null,
                fee = h.Fee is { } f && h.Currency is { } fc ? MoneyText.Json(f, fc) : null,
                currency = h.Currency,
                detail = h.Detail,
                letter = h.Letter ? $"billing dunning letter {h.Invoice} --step {h.Step}" : null,
            }), BillingConfig.Json));
            return 0;
        }

        if (rows.Count == 0)
        {
            output.WriteLine(account is null ? "No dunning history yet." : $"No dunning history for account {account}.");
            return 0;
        }

        History(rows, output);
        return 0;
    }

    /// <summary>History rows as a table.</summary>
    public static void History(IReadOnlyList<DunningHistoryRow> rows, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        var table = new TextTable("date", "account", "event", "invoice", "step", "outcome", "days", "overdue", "fee", "detail");
        foreach (var h in rows)
        {
            table.Add(Day(h.Date), h.AccountId, h.Event, h.Invoice ?? "", h.Step ?? "", h.Outcome ?? "", h.DaysPastDue?.ToString(Inv) ?? "",
                h.Overdue is { } o && h.Currency is { } c ? BillRunCommands.Amount(o, c) : "",
                h.Fee is { } f && h.Currency is { } fc ? BillRunCommands.Amount(f, fc) : "", h.Detail ?? "");
        }

        output.Write(table.ToString());
    }

    public static int Runs(GlobalOptions g, int limit, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var runs = DunningStore.Runs(conn, limit);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(runs.Select(r => new
            {
                id = r.Id,
                asOf = Day(r.AsOf),
                startedAt = r.StartedAt.ToString(),
                finishedAt = r.FinishedAt?.ToString(),
                accounts = r.Accounts,
                accountsMoved = r.AccountsMoved,
                actions = JsonSerializer.Deserialize<Dictionary<string, int>>(r.Actions),
                skipped = r.Skipped,
                fees = JsonSerializer.Deserialize<Dictionary<string, string>>(r.Fees),
                suspensions = r.Suspensions,
                reactivations = r.Reactivations,
                agencyFile = r.AgencyFile,
            }), BillingConfig.Json));
            return 0;
        }

        var table = new TextTable("run", "as of", "finished", "accounts", "moved", "steps taken", "skipped", "fees", "suspended", "reactivated", "agency file");
        foreach (var r in runs)
        {
            var actions = JsonSerializer.Deserialize<Dictionary<string, int>>(r.Actions) ?? [];
            var fees = JsonSerializer.Deserialize<Dictionary<string, string>>(r.Fees) ?? [];
            table.Add(r.Id, Day(r.AsOf), r.FinishedAt?.ToString() ?? "not finished (stopped?)", r.Accounts, r.AccountsMoved,
                string.Join(" ", actions.Select(a => $"{a.Key}:{a.Value}")), r.Skipped, string.Join(" ", fees.Select(f => $"{f.Value} {f.Key}")),
                r.Suspensions, r.Reactivations, r.AgencyFile ?? "");
        }

        output.Write(table.ToString());
        return 0;
    }

    public static int Pause(GlobalOptions g, string account, LocalDate until, string note, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        if (!DunningStore.Pause(conn, account, until, note, Environment.UserName))
        {
            throw new UserErrorException($"no account {account}");
        }

        output.WriteLine($"Promise to pay recorded for {account}: no dunning step through {Day(until)}; from {Day(until.PlusDays(1))} the ladder resumes at the step due then.");
        return 0;
    }

    public static int Resume(GlobalOptions g, string account, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var until = DunningStore.Resume(conn, account, Environment.UserName);
        output.WriteLine(until is { } d
            ? $"Promise to pay of {account} (until {Day(d)}) ended: the next dunning run takes the step due."
            : $"Account {account} has no promise to pay in force: nothing to resume.");
        return 0;
    }

    public static int Hold(GlobalOptions g, string invoice, string reason, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var held = DunningStore.Hold(conn, invoice, reason, Environment.UserName) ?? throw new UserErrorException($"no issued invoice {invoice}");
        output.WriteLine(held ? $"Invoice {invoice} is held out of the dunning ladder (dispute: {reason}) until released." : $"Invoice {invoice} is already held.");
        return 0;
    }

    public static int Release(GlobalOptions g, string invoice, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var released = DunningStore.Release(conn, invoice, Environment.UserName) ?? throw new UserErrorException($"no issued invoice {invoice}");
        output.WriteLine(released ? $"Invoice {invoice} is back on the dunning ladder: the next run takes the step due then." : $"Invoice {invoice} was not held.");
        return 0;
    }

    public static int Letter(GlobalOptions g, string invoice, string step, string? outFile, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        var found = rt.Jobs.Dunning().Letter(invoice, step) ?? throw new UserErrorException($"no letter recorded for invoice {invoice} at step {step}");
        string? written = null;
        if (outFile is not null)
        {
            written = Path.GetFullPath(outFile);
            InvoiceCommands.WriteOut(written, found.Pdf);
        }

        var l = found.Letter;
        var file = found.File;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                letter = JsonSerializer.Deserialize<JsonElement>(DunningJob.WriteLetter(l)),
                pdf = new { number = file.Number, path = file.Path, bytes = file.SizeBytes, sha256 = file.Sha256, rewritten = found.Rewritten, @out = written },
            }, BillingConfig.Json));
            return 0;
        }

        var next = l.NextAction is { } action && l.NextDate is { } date ? $"{action} on {Day(date)}" : "nothing further";
        output.WriteLine($"""
            Letter ({l.Template}, {l.Language}) of {Day(l.AsOf)}, step {l.Step}
            To:       {l.Name} (account {l.AccountId})
                      {l.BillingAddress}
            Invoice:  {l.Invoice} issued {Day(l.IssueDate)}, due {Day(l.DueDate)}, {l.DaysPastDue} days past due
            Overdue:  {BillRunCommands.Amount(l.Overdue, l.Currency)} {l.Currency} of {BillRunCommands.Amount(l.InvoiceTotal, l.Currency)}; the account owes {BillRunCommands.Amount(l.AccountOverdue, l.Currency)} {l.Currency} past due
            Next:     {next}
            PDF:      {file.Path} ({file.SizeBytes:N0} bytes, SHA-256 {file.Sha256}){(found.Rewritten ? " — written again now: the store lacked it or held other bytes" : "")}
            """);
        if (written is not null)
        {
            output.WriteLine($"Written to {written}");
        }

        return 0;
    }
}
