using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Money;
using Billing.Jobs.Prepaid;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing bundles list|buy: allowances a prepaid plan sells, bought from the wallet.</summary>
public static class BundleCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var plan = new Option<string?>("--plan") { Description = "Only this plan's" };
        var list = new Command("list", "Bundles the catalogue in force sells, per plan") { plan };
        list.SetAction(p => cli.Run(p, g => List(g, p.GetValue(plan), Console.Out)));
        var msisdn = new Argument<string>("msisdn") { Description = "The prepaid subscriber's number" };
        var bundle = new Argument<string>("bundle") { Description = "Bundle id (catalogue bundles.csv)" };
        var reference = new Option<string?>("--reference") { Description = "The purchase's reference: a second purchase with it buys nothing again" };
        var at = Checked.Time("--at", "When it was paid: ISO-8601 time (default: now)");
        var buy = new Command("buy", "Buy a bundle from the wallet: an allowance used before money until the end of the bill cycle") { msisdn, bundle, reference, at };
        buy.SetAction(p => cli.Run(p, g => Buy(g, p.GetValue(msisdn)!, p.GetValue(bundle)!, p.GetValue(reference), p.GetValue(at), Console.Out)));
        return new Command("bundles", "Prepaid bundles (allowances bought from the wallet)") { list, buy };
    }

    public static int List(GlobalOptions g, string? planId, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var catalog = rt.Jobs.Catalogs.InForce(conn, SystemClock.Instance.GetCurrentInstant())
            ?? throw new UserErrorException("No catalogue version is in force: billing catalog load templates/catalog");
        var bundles = catalog.Catalog.Plans.Values.Where(p => planId is null || p.Id == planId).SelectMany(p => p.Bundles.Select(b => (Plan: p, Bundle: b))).ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(bundles.Select(x => new { plan = x.Plan.Id, bundle = x.Bundle.Id, x.Bundle.Name, service = x.Bundle.Allowance.Service.ToString().ToLowerInvariant(), x.Bundle.Allowance.Amount, price = x.Bundle.Price.ToString(Inv), x.Plan.Currency }), BillingConfig.Json));
            return 0;
        }

        var table = new TextTable("plan", "bundle", "name", "service", "amount", "destinations", "price");
        foreach (var (plan, b) in bundles)
        {
            table.Add(plan.Id, b.Id, b.Name, b.Allowance.Service.ToString().ToLowerInvariant(), b.Allowance.Amount, b.Allowance.DestinationGroups is null ? "all" : string.Join(";", b.Allowance.DestinationGroups.Order(StringComparer.Ordinal)), Money.Of(b.Price, plan.Currency).ToString());
        }

        output.Write(table.ToString());
        output.WriteLine("Amounts in the service's unit: seconds, messages, bytes. A bundle lasts until the end of the bill cycle it is bought in.");
        return 0;
    }

    public static int Buy(GlobalOptions g, string msisdnText, string bundle, string? reference, Instant? boughtAt, TextWriter output)
    {
        var at = boughtAt ?? SystemClock.Instance.GetCurrentInstant();
        using var rt = Runtime.Start(g);
        var msisdn = WalletCommands.Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        BundleResult result;
        try
        {
            result = rt.Jobs.TopUps().BuyBundle(conn, msisdn, bundle, at, reference);
        }
        catch (TopUpException e)
        {
            throw new UserErrorException(e.Message + ". Nothing was bought.");
        }

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { result.Added, account = result.AccountId, result.LedgerId, bundle = result.Bundle.Id, price = result.Price.ToInvariantString(), balance = result.Balance.ToInvariantString(), currency = result.Balance.Currency.Code }, BillingConfig.Json)
            : result.Added
                ? $"Bought {result.Bundle.Name} ({result.Bundle.Id}) for {result.Price} for +{msisdn} (ledger #{result.LedgerId}); usage from {at.ToString("uuuu-MM-dd HH:mm", Inv)} UTC to the end of the bill cycle uses it first. Balance {result.Balance}."
                : $"Reference {reference} bought this before (ledger #{result.LedgerId}): nothing bought again.");
        return 0;
    }
}
