using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Jobs.Invoicing;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing credit-note INVOICE (--amount X | --line N) --reason TEXT [--by NAME].</summary>
public static class CreditNoteCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var invoice = new Argument<string>("invoice") { Description = "The issued invoice's number, e.g. INV-2026-000001" };
        var amount = new Option<string?>("--amount") { Description = "Credit this much, tax included (split over the invoice's tax categories)" };
        var line = new Option<int?>("--line") { Description = "Credit this line of the invoice in full, with its tax" };
        var reason = new Option<string>("--reason") { Description = "Why (printed on the note and kept)", Required = true };
        var by = new Option<string?>("--by") { Description = "Who issues it (default: the OS user)" };
        var command = new Command("credit-note", "Issue a credit note against an issued invoice: its own gapless series, reducing what is owed") { invoice, amount, line, reason, by };
        command.SetAction(p => cli.Run(p, g => Issue(g, p.GetValue(invoice)!, p.GetValue(amount), p.GetValue(line), p.GetValue(reason)!, p.GetValue(by), Console.Out)));
        return command;
    }

    public static int Issue(GlobalOptions g, string invoice, string? amountText, int? line, string reason, string? by, TextWriter output)
    {
        decimal? amount = null;
        if (amountText is not null)
        {
            amount = decimal.TryParse(amountText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a)
                ? a
                : throw new UserErrorException($"--amount '{amountText}' is not a positive decimal, e.g. 12.00. Nothing issued.");
        }

        using var rt = Runtime.Start(g);
        var outcome = rt.Jobs.Receivables().IssueCreditNote(invoice, amount, line, reason, by ?? Environment.UserName);
        var issued = outcome.Issued ?? throw new UserErrorException($"No credit note issued: {outcome.Refusal}.");
        var note = issued.Note;
        var currency = note.Total.Currency.Code;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                number = issued.Number,
                invoice = issued.InvoiceNumber,
                account = issued.AccountId,
                issueDate = issued.IssueDate.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),
                currency,
                reason = reason.Trim(),
                lines = note.Lines.Select(l => new
                {
                    description = l.Description,
                    taxCategory = l.TaxCategory,
                    rate = MoneyText.Exact(l.Rate),
                    net = MoneyText.Json(l.Net.Amount, currency),
                    tax = MoneyText.Json(l.Tax.Amount, currency),
                }),
                subtotal = MoneyText.Json(note.Subtotal.Amount, currency),
                tax = MoneyText.Json(note.Tax.Amount, currency),
                total = MoneyText.Json(note.Total.Amount, currency),
                allocations = issued.Allocations.Select(a => new { invoice = a.Invoice, amount = MoneyText.Json(a.Amount, currency) }),
                credit = MoneyText.Json(issued.Credit, currency),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"Issued credit note {issued.Number} on {issued.InvoiceNumber} ({issued.AccountId}), {issued.IssueDate.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture)}: " +
            $"total {BillRunCommands.Amount(note.Total.Amount, currency)} {currency} (net {BillRunCommands.Amount(note.Subtotal.Amount, currency)}, tax {BillRunCommands.Amount(note.Tax.Amount, currency)}).");
        var table = new TextTable("description", "tax category", "rate", "net", "tax");
        foreach (var l in note.Lines)
        {
            table.Add(l.Description, l.TaxCategory, (l.Rate * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%", BillRunCommands.Amount(l.Net.Amount, currency), BillRunCommands.Amount(l.Tax.Amount, currency));
        }

        output.Write(table.ToString());
        var settled = issued.Allocations.Select(a => $"{BillRunCommands.Amount(a.Amount, currency)} against {a.Invoice}").ToList();
        if (issued.Credit > 0m)
        {
            settled.Add($"{BillRunCommands.Amount(issued.Credit, currency)} carried forward as credit for the next invoice");
        }

        output.WriteLine(settled.Count == 0 ? "Nothing was left to settle." : string.Join("; ", settled) + ".");
        return 0;
    }
}
