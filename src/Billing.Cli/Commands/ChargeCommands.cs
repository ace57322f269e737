using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Invoicing;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Mediation;
using Billing.Mediation.Imports;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing charges add | import: one-time charges and manual adjustments for the next invoice; list: an account's rated charges; explain: one priced again.</summary>
public static partial class ChargeCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var account = new Argument<string>("account") { Description = "Account id" };
        var amount = new Argument<string>("amount") { Description = "Amount in the account's currency, at most its minor unit's decimals (25.00; an adjustment may be negative: -5.00)" };
        var description = new Option<string>("--description") { Description = "The invoice line's text", Required = true };
        var taxCategory = new Option<string?>("--tax-category") { Description = "A tax category of the catalogue's taxes.csv (default: standard)" };
        var msisdn = new Option<string?>("--msisdn") { Description = "The account's number the charge is for (shown on the line)" };
        var date = new Option<string?>("--date") { Description = "Date of the charge, yyyy-MM-dd (default: today in the account's zone): billed by the first run closing a cycle after it" };
        var reference = new Option<string?>("--reference") { Description = "Your reference: a second charge with it records nothing" };
        var kind = new Option<string>("--kind") { Description = "one-time (> 0) or adjustment (either sign)", DefaultValueFactory = _ => "one-time" };
        var add = new Command("add", "Record a one-time charge or manual adjustment for the account's next invoice") { account, amount, description, taxCategory, msisdn, date, reference, kind };
        add.SetAction(p => cli.Run(p, g => Add(g, new Dictionary<string, string?>
        {
            ["account_id"] = p.GetValue(account),
            ["amount"] = p.GetValue(amount),
            ["description"] = p.GetValue(description),
            ["tax_category"] = p.GetValue(taxCategory),
            ["msisdn"] = p.GetValue(msisdn),
            ["date"] = p.GetValue(date),
            ["reference"] = p.GetValue(reference),
            ["kind"] = p.GetValue(kind),
        }, Console.Out)));
        var file = new Argument<string>("file") { Description = "Charges CSV: reference,account_id,amount,description[,tax_category][,msisdn][,date][,kind]" };
        var import = new Command("import", "Record every charge of a CSV file; idempotent on reference; every bad row with its line; all rows or none") { file };
        import.SetAction(p => cli.Run(p, g => Import(g, p.GetValue(file)!, Console.Out)));
        return new Command("charges", "One-time charges and manual adjustments, billed on the account's next invoice; an account's rated charges") { add, import, ListCommand(cli), ExplainCommand(cli) };
    }

    public static int Add(GlobalOptions g, IReadOnlyDictionary<string, string?> fields, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var normaliser = new NumberNormaliser(rt.Config.Numbering);
        var row = Entries.Parse(fields, (field, problems) => AccountChargeCsvReader.Parse(0, field, normaliser, [], referenceRequired: false, problems));
        var result = Service(rt).Record([row], Environment.UserName);
        return Entries.One(g, result, row.Reference, Json(result), c =>
            $"Recorded {(c.Row.Kind == InvoiceLineKind.OneTime ? "one-time charge" : "adjustment")} #{c.Id} for {c.Row.AccountId}: {BillRunCommands.Amount(c.Row.Amount, c.Currency)} {c.Currency} \"{c.Row.Description}\" " +
            $"(tax {c.TaxCategory}, {c.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture)}{(c.Row.Msisdn is { } m ? $", +{m}" : "")}): it goes on the account's next invoice.", output);
    }

    public static int Import(GlobalOptions g, string file, TextWriter output)
    {
        Entries.RequireFile(file);
        using var rt = Runtime.Start(g);
        var (rows, readErrors) = AccountChargeCsvReader.Read(file, rt.Config.Numbering);
        var result = Service(rt).Record(rows, Environment.UserName, readErrors);
        return Entries.File(g, file, result.Errors, Json(result), () =>
        {
            var totals = string.Join(", ", result.Added.GroupBy(c => c.Currency).Select(x => $"{BillRunCommands.Amount(x.Sum(c => c.Row.Amount), x.Key)} {x.Key}"));
            output.WriteLine($"{file}: recorded {result.Added.Count:N0} charge(s){(result.Added.Count > 0 ? $" (net {totals})" : "")} for the accounts' next invoices; " +
                $"{result.AlreadyRecorded.Count:N0} already recorded by an earlier import (same reference): nothing recorded twice.");
        }, output);
    }

    private static AccountChargeService Service(Runtime rt) => rt.Jobs.AccountCharges();

    private static object Json(EntryResult<ChargeRecorded, AccountChargeRow> result) => new
    {
        recorded = result.Added.Select(c => new
        {
            id = c.Id,
            reference = c.Row.Reference,
            account = c.Row.AccountId,
            kind = c.Row.Kind.Code(),
            amount = MoneyText.Json(c.Row.Amount, c.Currency),
            currency = c.Currency,
            description = c.Row.Description,
            taxCategory = c.TaxCategory,
            msisdn = c.Row.Msisdn,
            date = c.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),
        }),
        alreadyRecorded = result.AlreadyRecorded.Select(r => r.Reference),
        errors = result.Errors,
    };
}
