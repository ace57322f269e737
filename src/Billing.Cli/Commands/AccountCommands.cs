using System.CommandLine;
using System.Text.Json;
using Billing.Core.Accounts;
using Billing.Mediation.Imports;
using Billing.Storage;

namespace Billing.Cli.Commands;

/// <summary>billing accounts import|show|statement (the statement in AccountCommands.Statement.cs).</summary>
public static partial class AccountCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var file = new Argument<string>("file") { Description = "Accounts CSV (columns in README: account_id,name,…,msisdn,plan,active_from,active_to)" };
        var import = new Command("import", "Upsert accounts and subscriptions from a CSV file; all rows or none") { file };
        import.SetAction(p => cli.Run(p, g => Import(g, p.GetValue(file)!, Console.Out)));
        var id = new Argument<string>("id") { Description = "Account id" };
        var show = new Command("show", "An account and its subscriptions") { id };
        show.SetAction(p => cli.Run(p, g => Show(g, p.GetValue(id)!, Console.Out)));
        var statement = new Command("statement", "The receivables ledger: invoices, credit notes, payments, allocations and the open balance") { id };
        statement.SetAction(p => cli.Run(p, g => Statement(g, p.GetValue(id)!, Console.Out)));
        return new Command("accounts", "Customer accounts and subscriptions") { import, show, statement };
    }

    public static int Import(GlobalOptions g, string file, TextWriter output)
    {
        if (!File.Exists(file))
        {
            throw new UserErrorException($"No such file: {file}");
        }

        using var rt = Runtime.Start(g);
        var (rows, errors) = AccountCsvReader.Read(file, rt.Config.Numbering);
        AccountImportResult result;
        if (errors.Count > 0)
        {
            result = new AccountImportResult(0, 0, 0, 0, errors);
        }
        else
        {
            using var conn = rt.Db.Open();
            result = AccountStore.Import(conn, rows);
        }

        return Entries.File(g, file, result.Errors, result, () => output.WriteLine(
            $"Imported {file}: {result.Accounts:N0} account(s); subscriptions {result.SubscriptionsAdded:N0} added, {result.SubscriptionsUpdated:N0} updated, {result.PeriodsClosed:N0} earlier period(s) closed by a plan change."),
            output, "Nothing imported");
    }

    public static int Show(GlobalOptions g, string id, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var account = AccountStore.Find(conn, id) ?? throw new UserErrorException($"No account '{id}'. `billing accounts import FILE.csv` adds accounts.");
        var subscriptions = AccountStore.Subscriptions(conn, id);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                account = new
                {
                    account.Id,
                    account.Name,
                    account.BillingAddress,
                    account.Email,
                    account.Language,
                    currency = account.Currency.Code,
                    timeZone = account.TimeZone.Id,
                    paymentType = account.PaymentType.Code(),
                    account.BillCycleDay,
                    account.TaxRegion,
                    account.Segment,
                },
                subscriptions = subscriptions.Select(s => new { s.Msisdn, s.PlanId, activeFrom = s.ActiveFrom.ToString(), activeTo = s.ActiveTo?.ToString() }),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"{account.Id}  {account.Name}");
        output.WriteLine($"  {account.PaymentType.Code()}, {account.Currency.Code}, bill cycle day {account.BillCycleDay}, {account.TimeZone.Id}, language {account.Language}");
        output.WriteLine($"  address: {account.BillingAddress}");
        output.WriteLine($"  e-mail: {account.Email ?? "-"}; tax region: {account.TaxRegion}; segment: {account.Segment}");
        output.WriteLine();
        if (subscriptions.Count == 0)
        {
            output.WriteLine("  no subscriptions");
            return 0;
        }

        var table = new TextTable("msisdn", "plan", "active from (UTC)", "active to (UTC, exclusive)");
        foreach (var s in subscriptions)
        {
            table.Add(s.Msisdn, s.PlanId, s.ActiveFrom.ToString("uuuu-MM-dd HH:mm", null), s.ActiveTo?.ToString("uuuu-MM-dd HH:mm", null) ?? "open");
        }

        output.Write(table.ToString());
        return 0;
    }
}
