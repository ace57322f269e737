using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Reconciliation;
using Billing.Jobs.Reconciliation;

namespace Billing.Cli.Commands;

/// <summary>billing reconcile --cycle-end DATE: revenue assurance from CDR file to invoice (<see cref="ReconcileJob"/>).</summary>
public static class ReconcileCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var cycleEnd = new Option<string>("--cycle-end")
        {
            Description = "The date the cycles ended (yyyy-MM-dd): accounts whose cycle day is its day, cycle [DATE − 1 month, DATE) in each account's zone",
            Required = true,
        };
        var reconcile = new Command("reconcile", """
            Prove the chain for the cycles that ended on DATE: every record of every file on exactly one of usage, suspense, duplicates,
            filtered; every usage record of the cycles rated or held with a reason; every rated postpaid charge on exactly one invoice line;
            every invoice's sums. Exit 1 and the first differences when anything is off; reads only
            """) { cycleEnd };
        reconcile.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(cycleEnd)!, Console.Out)));
        return reconcile;
    }

    /// <summary>Runs the reconcile and prints it: 0 when every link holds, 1 when something is off.</summary>
    public static int Run(GlobalOptions g, string cycleEndText, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        var cycleEnd = BillRunCommands.Date(cycleEndText, "--cycle-end", "the cycles that ended at local midnight starting it are reconciled");
        using var rt = Runtime.Start(g);
        var report = new ReconcileJob(rt.Db).Run(cycleEnd);
        output.Write(g.Json ? JsonSerializer.Serialize(Json(report), BillingConfig.Json) + "\n" : Text(report));
        return report.Reconciled ? 0 : 1;
    }

    private static string Day(NodaTime.LocalDate d) => d.ToString("uuuu-MM-dd", Inv);

    private static string Code(ChainLink link) => JsonNamingPolicy.KebabCaseLower.ConvertName(link.ToString());

    private static Dictionary<string, string> Amounts(IReadOnlyDictionary<string, decimal> byCurrency) =>
        byCurrency.ToDictionary(a => a.Key, a => a.Value.ToString(Inv), StringComparer.Ordinal);

    /// <summary>Sums for people to the currency's minor unit; sums of charges (<paramref name="exact"/>) to their 6 stored decimals, labelled so.</summary>
    private static string Money(IReadOnlyDictionary<string, decimal> byCurrency, bool exact) =>
        byCurrency.Count == 0 ? "0" : string.Join(", ", byCurrency.Select(a => $"{a.Key} {(exact ? a.Value.ToString("0.000000", Inv) : BillRunCommands.Amount(a.Value, a.Key))}")) +
        (exact ? " as rated, 6 dp" : "");

    private static object Json(ReconcileReport r) => new
    {
        cycleStart = Day(r.Scope.CycleStart),
        cycleEnd = Day(r.Scope.CycleEnd),
        cycleDay = r.Scope.CycleEnd.Day,
        accounts = new { postpaid = r.Scope.PostpaidAccounts, prepaid = r.Scope.PrepaidAccounts },
        reconciled = r.Reconciled,
        differenceCount = r.DifferenceCount,
        differences = r.Differences.Select(d => new { link = Code(d.Link), code = d.Code, subject = d.Subject, detail = d.Detail }),
        mediation = r.Mediation,
        rating = new { usage = r.Rating.Usage, rated = r.Rating.Rated, held = r.Rating.Held, heldByReason = r.Rating.HeldByReason },
        invoicing = new
        {
            invoicesIssued = r.Invoicing.InvoicesIssued,
            draftsWaiting = r.Invoicing.DraftsWaiting,
            linesMatched = r.Invoicing.LinesMatched,
            chargesBilled = r.Invoicing.ChargesBilled,
            amountBilled = Amounts(r.Invoicing.AmountBilled),
            lateBilled = r.Invoicing.LateBilled,
            notBilled = new { accounts = r.Invoicing.NotBilledAccounts, charges = r.Invoicing.NotBilledCharges, amount = Amounts(r.Invoicing.AmountNotBilled) },
            lateWaiting = r.Invoicing.LateWaiting,
        },
        sums = new { invoices = r.Sums.Invoices, lines = r.Sums.Lines, total = Amounts(r.Sums.Total), amountDue = Amounts(r.Sums.AmountDue) },
    };

    internal static string Text(ReconcileReport r)
    {
        var m = r.Mediation;
        var u = r.Rating;
        var i = r.Invoicing;
        var s = r.Sums;
        var held = u.HeldByReason.Count == 0 ? "" : $" ({string.Join(", ", u.HeldByReason.Select(h => $"{h.Key} {h.Value}"))})";
        var text = new System.Text.StringBuilder()
            .AppendLine(Inv, $"Reconcile: cycles [{Day(r.Scope.CycleStart)}, {Day(r.Scope.CycleEnd)}) of the accounts with cycle day {r.Scope.CycleEnd.Day} ({r.Scope.PostpaidAccounts} postpaid, {r.Scope.PrepaidAccounts} prepaid), each in its own time zone.")
            .AppendLine(Inv, $"  mediation  {m.Files} archived file(s): read {m.Read} = accepted {m.Accepted} + suspended {m.Suspended} + duplicates {m.Duplicates} + filtered {m.Filtered}; {m.Recycled} suspended record(s) recycled into usage")
            .AppendLine(Inv, $"  rating     {u.Usage} usage record(s) of the cycles: {u.Rated} rated, {u.Held} held{held}")
            .AppendLine(Inv, $"  invoicing  {i.InvoicesIssued} invoice(s) issued for the cycles, {i.DraftsWaiting} draft(s) waiting; {i.ChargesBilled} postpaid charge(s) billed ({Money(i.AmountBilled, exact: true)}) on {i.LinesMatched} line(s), {i.LateBilled} of them late on a later invoice")
            .AppendLine(Inv, $"             not billed yet: {(i.NotBilledCharges == 0 ? "none" : $"{i.NotBilledCharges} charge(s) of {i.NotBilledAccounts} account(s) ({Money(i.AmountNotBilled, exact: true)})")}; {i.LateWaiting} late charge(s) waiting for the next invoice")
            .AppendLine(Inv, $"  sums       {s.Invoices} issued invoice(s), {s.Lines} line(s): total {Money(s.Total, exact: false)}, amount due {Money(s.AmountDue, exact: false)}");
        if (r.Reconciled)
        {
            return text.AppendLine("Reconciled: every record of every file is accounted for, every usage record of the cycles is rated or held with a reason, " +
                "every rated postpaid charge of an invoiced cycle is on exactly one invoice line, and every invoice's sums hold.").ToString();
        }

        text.AppendLine(Inv, $"NOT RECONCILED: {r.DifferenceCount} difference(s).");
        var table = new TextTable("link", "difference", "what", "detail");
        foreach (var d in r.Differences)
        {
            table.Add(Code(d.Link), d.Code, d.Subject, d.Detail);
        }

        text.Append(table.ToString());
        if (r.MoreDifferences > 0)
        {
            text.AppendLine(Inv, $"… and {r.MoreDifferences} more.");
        }

        return text.ToString();
    }
}
