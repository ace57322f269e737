using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Jobs.Invoicing;
using Billing.Mediation.Imports;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>billing payments add | import: money received, allocated to open invoices; the rest is credit.</summary>
public static class PaymentCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var account = new Argument<string>("account") { Description = "Account id" };
        var amount = new Argument<string>("amount") { Description = "Amount received in the account's currency, e.g. 36.72" };
        var reference = new Option<string?>("--reference") { Description = "The payment's reference (bank or gateway): a second payment with it records nothing (default: a new one)" };
        var at = new Option<string?>("--at") { Description = "When it was paid: ISO-8601 time with offset, or a date (00:00 UTC); default now" };
        var invoice = new Option<string?>("--invoice") { Description = "The invoice number the payer named: settled first" };
        var add = new Command("add", "Record a payment and allocate it: the named invoice first, else open invoices oldest first; the rest is credit for the next invoice") { account, amount, reference, at, invoice };
        add.SetAction(p => cli.Run(p, g => Add(g, p.GetValue(account)!, p.GetValue(amount)!, p.GetValue(reference), p.GetValue(at), p.GetValue(invoice), Console.Out)));
        var file = new Argument<string>("file") { Description = "Payments CSV: reference,account_id,amount,paid_at[,currency][,invoice]" };
        var import = new Command("import", "Record and allocate every payment of a CSV file; idempotent on reference; every bad row with its line; all rows or none") { file };
        import.SetAction(p => cli.Run(p, g => Import(g, p.GetValue(file)!, Console.Out)));
        return new Command("payments", "Payments received for invoices (postpaid receivables)") { add, import };
    }

    public static int Add(GlobalOptions g, string account, string amount, string? reference, string? at, string? invoice, TextWriter output)
    {
        var row = Entries.Parse(new Dictionary<string, string?>
        {
            ["reference"] = reference,
            ["account_id"] = account,
            ["amount"] = amount,
            ["paid_at"] = at ?? InstantPattern.ExtendedIso.Format(SystemClock.Instance.GetCurrentInstant()),
            ["invoice"] = invoice,
        }, (field, problems) => PaymentCsvReader.Parse(0, field, [], referenceRequired: false, problems));
        using var rt = Runtime.Start(g);
        var result = Service(rt).RecordPayments([row], Environment.UserName);
        return Entries.One(g, result, row.Reference, Json(result), p =>
            $"Recorded payment {p.Row.Reference}: {BillRunCommands.Amount(p.Row.Amount, p.Currency)} {p.Currency} from {p.Row.AccountId}, " +
            $"paid {p.Row.PaidAt.InUtc().ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC. {Settled(p)}", output);
    }

    public static int Import(GlobalOptions g, string file, TextWriter output)
    {
        Entries.RequireFile(file);
        using var rt = Runtime.Start(g);
        var (rows, readErrors) = PaymentCsvReader.Read(file);
        var result = Service(rt).RecordPayments(rows, Environment.UserName, readErrors);
        return Entries.File(g, file, result.Errors, Json(result), () => Print(file, result, output), output);
    }

    /// <summary>What an import recorded: the count and totals, then each payment with its allocations and the credit carried forward.</summary>
    internal static void Print(string file, EntryResult<PaymentRecorded, PaymentRow> result, TextWriter output)
    {
        var totals = string.Join(", ", result.Added.GroupBy(p => p.Currency).Select(x => $"{BillRunCommands.Amount(x.Sum(p => p.Row.Amount), x.Key)} {x.Key}"));
        output.WriteLine($"{file}: recorded {result.Added.Count:N0} payment(s){(result.Added.Count > 0 ? $" ({totals})" : "")}; " +
            $"{result.AlreadyRecorded.Count:N0} already recorded by an earlier import (same reference): nothing recorded twice.");
        var table = new TextTable("reference", "account", "amount", "allocated to", "credit carried forward");
        foreach (var p in result.Added)
        {
            table.Add(p.Row.Reference, p.Row.AccountId, BillRunCommands.Amount(p.Row.Amount, p.Currency),
                string.Join(", ", p.Allocations.Select(a => $"{a.Invoice} {BillRunCommands.Amount(a.Amount, p.Currency)}")), BillRunCommands.Amount(p.Credit, p.Currency));
        }

        output.Write(result.Added.Count > 0 ? table.ToString() : "");
    }

    private static string Settled(PaymentRecorded p)
    {
        var parts = p.Allocations.Select(a => $"{BillRunCommands.Amount(a.Amount, p.Currency)} to {a.Invoice}").ToList();
        if (p.Credit > 0m)
        {
            parts.Add($"{BillRunCommands.Amount(p.Credit, p.Currency)} carried forward as credit for the next invoice");
        }

        return string.Join("; ", parts) + ".";
    }

    private static ReceivablesService Service(Runtime rt) => rt.Jobs.Receivables();

    private static object Json(EntryResult<PaymentRecorded, PaymentRow> result) => new
    {
        recorded = result.Added.Select(p => new
        {
            id = p.Id,
            reference = p.Row.Reference,
            account = p.Row.AccountId,
            amount = MoneyText.Json(p.Row.Amount, p.Currency),
            currency = p.Currency,
            paidAt = p.Row.PaidAt.ToString(),
            invoice = p.Row.Invoice,
            allocations = p.Allocations.Select(a => new { invoice = a.Invoice, amount = MoneyText.Json(a.Amount, p.Currency) }),
            credit = MoneyText.Json(p.Credit, p.Currency),
        }),
        alreadyRecorded = result.AlreadyRecorded.Select(r => r.Reference),
        errors = result.Errors,
    };
}
