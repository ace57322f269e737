using System.CommandLine;
using System.Text.Json;
using Billing.Core.Dunning;
using Billing.Storage.Dunning;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>billing aging --as-of DATE: what is owed, per account and in total, by days past due (<see cref="Aging"/>).</summary>
public static class AgingCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var asOf = Checked.Date("--as-of", "The date the amounts are aged on (yyyy-MM-dd)", required: true);
        var account = new Option<string?>("--account") { Description = "Only this account" };
        var aging = new Command("aging", "What is owed per account and in total, by currency, in the buckets current, 1–30, 31–60, 61–90 and over 90 days past due") { asOf, account };
        aging.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(asOf)!.Value, p.GetValue(account), Console.Out)));
        return aging;
    }

    /// <summary>The aging report on <paramref name="asOf"/> of every account (or one): what this command prints and the portal's aging page shows.</summary>
    public static AgingReport Read(Npgsql.NpgsqlConnection conn, LocalDate asOf, string? account = null) => Aging.Of(DunningStore.Owed(conn, account, asOf), asOf);

    public static int Run(GlobalOptions g, LocalDate asOf, string? account, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var report = Read(conn, asOf, account);
        if (g.Json)
        {
            object Line(AgingLine l) => new
            {
                account = l.AccountId.Length == 0 ? null : l.AccountId,
                currency = l.Currency,
                buckets = Aging.Buckets.ToDictionary(b => b.Code(), b => MoneyText.Json(l.Buckets[b], l.Currency)),
                total = MoneyText.Json(l.Total, l.Currency),
                overdue = MoneyText.Json(l.Overdue, l.Currency),
            };
            output.WriteLine(JsonSerializer.Serialize(new
            {
                asOf = LocalDatePattern.Iso.Format(asOf),
                accounts = report.Accounts.Select(Line),
                totals = report.Totals.Select(Line),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"Aging on {LocalDatePattern.Iso.Format(asOf)}: {report.Accounts.Count:N0} account(s) owing, by days past due.");
        var table = new TextTable(["account", "currency", .. Aging.Buckets.Select(b => b.Code()), "total"]);
        foreach (var l in report.Accounts.Concat(report.Totals))
        {
            table.Add([l.AccountId.Length == 0 ? "TOTAL" : l.AccountId, l.Currency, .. Aging.Buckets.Select(b => BillRunCommands.Amount(l.Buckets[b], l.Currency)),
                BillRunCommands.Amount(l.Total, l.Currency)]);
        }

        output.Write(table.ToString());
        return 0;
    }
}
