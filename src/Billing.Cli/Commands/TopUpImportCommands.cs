using System.CommandLine;
using System.Text.Json;
using Billing.Core.Imports;
using Billing.Core.Money;
using Billing.Jobs.Prepaid;
using Billing.Mediation.Imports;

namespace Billing.Cli.Commands;

/// <summary>billing topups import: a payment gateway's export, every top-up credited once.</summary>
public static class TopUpImportCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var file = new Argument<string>("file") { Description = "Payment gateway export: reference,msisdn,amount,paid_at[,currency][,note]" };
        var import = new Command("import", "Credit every top-up of a gateway export; idempotent on reference; all rows or none") { file };
        import.SetAction(p => cli.Run(p, g => Import(g, p.GetValue(file)!, Console.Out)));
        return new Command("topups", "Top-ups from a payment gateway") { import };
    }

    public static int Import(GlobalOptions g, string file, TextWriter output)
    {
        if (!File.Exists(file))
        {
            throw new UserErrorException($"No such file: {file}");
        }

        using var rt = Runtime.Start(g);
        var (rows, errors) = TopUpCsvReader.Read(file, rt.Config.Numbering);
        if (errors.Count > 0)
        {
            if (g.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { credited = 0, alreadyCredited = 0, errors }, BillingConfig.Json));
            }
            else
            {
                output.WriteLine($"Nothing credited: {errors.Count} row(s) of {file} need fixing:");
                foreach (var e in errors)
                {
                    output.WriteLine($"  {file}:{e.Line}: {e.Message}");
                }
            }

            return 2;
        }

        using var conn = rt.Db.Open();
        var results = TopUpCommand.Credit(rt, conn, rows.Select(r => new TopUpRequest(r.Msisdn, r.Amount, r.PaidAt, r.Reference, r.Note.Length == 0 ? Path.GetFileName(file) : r.Note, r.Currency)).ToList());
        var added = results.Where(r => r.Added).ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                credited = added.Count,
                alreadyCredited = results.Count - added.Count,
                totals = Money.Totals(added.Select(r => r.Amount)).Select(t => new { currency = t.Currency.Code, amount = t.ToInvariantString() }),
                errors = Array.Empty<ImportError>(),
            }, BillingConfig.Json));
        }
        else
        {
            var totals = string.Join(", ", Money.Totals(added.Select(r => r.Amount)));
            output.WriteLine($"{file}: credited {added.Count:N0} top-up(s){(added.Count > 0 ? $" ({totals})" : "")}; {results.Count - added.Count:N0} already credited by an earlier import (same reference): nothing credited twice.");
        }

        return 0;
    }
}
