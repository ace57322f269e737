using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Usage;
using Billing.Storage;
using Billing.Storage.Rating;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>billing charges list --account A [--cycle DATE]: the rated charges of one of an account's bill cycles.</summary>
public static partial class ChargeCommands
{
    private static Command ListCommand(Cli cli)
    {
        var account = new Option<string>("--account") { Description = "Account id", Required = true };
        var cycle = Checked.Date("--cycle", "Any day of the bill cycle to show (yyyy-MM-dd; default: the latest cycle with charges)");
        var list = new Command("list", "An account's rated charges of one bill cycle, in event-time order, each with its 6-decimal charge and the invoice that billed it") { account, cycle };
        list.SetAction(p => cli.Run(p, g => List(g, p.GetValue(account)!, p.GetValue(cycle), Console.Out)));
        return list;
    }

    public static int List(GlobalOptions g, string accountId, LocalDate? day, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var account = AccountStore.Find(conn, accountId) ?? throw new UserErrorException($"No account '{accountId}'. `billing accounts import FILE.csv` adds accounts.");
        var cycleStart = ChargeStore.CycleOf(conn, accountId, day);
        var prepaid = account.PaymentType == Billing.Core.Accounts.PaymentType.Prepaid;
        // A prepaid charge is paid from the wallet when rated: the cycle's invoice bills only the overdraft, not these charges.
        var charges = (cycleStart is { } start ? ChargeStore.OfCycle(conn, accountId, start) : [])
            .Select(c => prepaid ? c with { InvoiceNumber = null } : c).ToList();
        var currency = account.Currency.Code;
        var total = charges.Sum(c => c.Amount);
        var invoices = charges.Select(c => c.InvoiceNumber).Distinct().ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                account = accountId,
                paymentType = account.PaymentType.ToString().ToLowerInvariant(),
                currency,
                cycleStart = cycleStart is { } cs ? LocalDatePattern.Iso.Format(cs) : null,
                cycleEnd = cycleStart is { } ce ? LocalDatePattern.Iso.Format(ce.PlusMonths(1)) : null,
                total = total.ToString("0.000000", CultureInfo.InvariantCulture),
                charges = charges.Select(c => new
                {
                    usageId = c.UsageId,
                    start = InstantPattern.ExtendedIso.Format(c.Start),
                    msisdn = c.Msisdn,
                    service = ((ServiceType)c.Service).Code(),
                    destinationGroup = c.DestinationGroup,
                    matchedPrefix = c.MatchedPrefix,
                    quantity = c.Quantity,
                    billedQuantity = c.BilledQuantity,
                    allowanceUsed = c.AllowanceUsed,
                    amount = c.Amount.ToString("0.000000", CultureInfo.InvariantCulture),
                    late = c.Late,
                    invoice = c.InvoiceNumber,
                }),
            }, BillingConfig.Json));
            return 0;
        }

        if (cycleStart is not { } shown)
        {
            output.WriteLine(day is { } d
                ? $"{accountId} has no rated charges in a bill cycle holding {LocalDatePattern.Iso.Format(d)}."
                : $"{accountId} has no rated charges yet (`billing rate` rates what was ingested; `billing suspense list` shows usage held for rating).");
            return 0;
        }

        var billed = prepaid ? "debited from the wallet as rated (billing wallets show; an invoice bills only the overdraft)" : invoices switch
        {
            [null] => "not invoiced yet",
            [{ } one] => $"billed on {one}",
            _ => $"billed on {string.Join(", ", invoices.Select(i => i ?? "(not yet)"))}",
        };
        output.WriteLine($"{accountId} ({account.PaymentType.ToString().ToLowerInvariant()}, {currency}), bill cycle {shown.ToString("d MMM", CultureInfo.InvariantCulture)} – " +
            $"{shown.PlusMonths(1).PlusDays(-1).ToString("d MMM yyyy", CultureInfo.InvariantCulture)}: {charges.Count:N0} rated charge(s), {billed}" +
            (day is null ? " (the latest cycle with charges; --cycle DATE shows another)." : "."));
        var table = new TextTable("start (UTC)", "msisdn", "service", "destination", "quantity", "billed", "allowance", $"charge ({currency}, 6 dp)", "invoice");
        foreach (var c in charges)
        {
            var service = (ServiceType)c.Service;
            table.Add(c.Start.InUtc().ToString("uuuu-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), "+" + c.Msisdn, service.Code(),
                c.DestinationGroup ?? "", Quantity(service, c.Quantity), Quantity(service, c.BilledQuantity), c.AllowanceUsed == 0 ? "" : Quantity(service, c.AllowanceUsed),
                c.Amount.ToString("0.000000", CultureInfo.InvariantCulture), (c.InvoiceNumber ?? "") + (c.Late ? " (late)" : ""));
        }

        output.Write(table.ToString());
        output.WriteLine($"Sum of the charges: {BillRunCommands.Amount(total, currency)} {currency} ({total.ToString("0.000000", CultureInfo.InvariantCulture)} before rounding; " +
            "an invoice rounds each usage line once, per number, service and destination). Why a charge costs what it does: billing charges explain USAGE_ID (usageId in --json).");
        return 0;
    }

    /// <summary>A quantity in its service's unit: seconds, SMS, bytes.</summary>
    private static string Quantity(ServiceType service, long quantity) => service switch
    {
        ServiceType.Voice => $"{quantity.ToString("N0", CultureInfo.InvariantCulture)} s",
        ServiceType.Sms => $"{quantity.ToString("N0", CultureInfo.InvariantCulture)} SMS",
        _ => $"{quantity.ToString("N0", CultureInfo.InvariantCulture)} B",
    };
}
