using System.Text.Json;

namespace Billing.Cli.Commands;

/// <summary>billing accounts statement ID: the receivables ledger.</summary>
public static partial class AccountCommands
{
    /// <summary>The receivables ledger of an account: invoices, credit notes, payments, allocations and the open balance.</summary>
    public static int Statement(GlobalOptions g, string id, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var statement = AccountStatement.Read(conn, id) ?? throw new UserErrorException($"No account '{id}'. `billing accounts import FILE.csv` adds accounts.");
        var (account, currency, entries, allocations) = (statement.Account, statement.Currency, statement.Entries, statement.Allocations);
        var (balance, credit) = (statement.OpenBalance, statement.UnallocatedCredit);
        string J(decimal amount) => MoneyText.Json(amount, currency);
        string A(decimal amount) => BillRunCommands.Amount(amount, currency);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                account = id,
                currency,
                openBalance = J(balance),
                unallocatedCredit = J(credit),
                entries = entries.Select(e => new { kind = e.Kind, reference = e.Reference, date = e.Date.ToString("uuuu-MM-dd", null), amount = J(e.Amount), invoice = e.Invoice, outstanding = e.Outstanding is { } o ? J(o) : null }),
                allocations = allocations.Select(a => new { source = a.Source, reference = a.SourceReference, invoice = a.Invoice, amount = J(a.Amount), at = a.At.ToString() }),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"Statement of {account.Id}  {account.Name}  ({currency})");
        var ledger = new TextTable("date", "kind", "reference", "invoice", "amount", "outstanding");
        foreach (var e in entries)
        {
            ledger.Add(e.Date.ToString("uuuu-MM-dd", null), e.Kind, e.Reference, e.Invoice ?? "", A(e.Amount), e.Outstanding is { } o ? A(o) : "");
        }

        output.Write(entries.Count == 0 ? "  no invoices, credit notes or payments yet\n" : ledger.ToString());
        if (allocations.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Allocations (what settles what):");
            var settled = new TextTable("from", "reference", "to invoice", "amount");
            foreach (var a in allocations)
            {
                settled.Add(a.Source, a.SourceReference, a.Invoice, A(a.Amount));
            }

            output.Write(settled.ToString());
        }

        output.WriteLine();
        output.WriteLine(balance > 0m ? $"Open balance: {A(balance)} {currency} owed." : balance < 0m ? $"Open balance: {A(-balance)} {currency} in credit." : $"Open balance: 0 — nothing owed.");
        if (credit > 0m)
        {
            output.WriteLine($"Unallocated credit: {A(credit)} {currency}, for the next invoice.");
        }

        return 0;
    }
}
