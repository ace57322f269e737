using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Billing.Jobs.Rating;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>
/// billing charges explain USAGE_ID: a stored charge priced again by the engine with the catalogue version, plan and
/// allowance balance it was rated with — the whole breakdown, and whether it still equals the stored charge.
/// </summary>
public static partial class ChargeCommands
{
    /// <summary>Exit code when the charge computed again differs from the stored one (or no longer prices).</summary>
    public const int DiffersExit = 1;

    /// <summary>Exit code when the charge cannot be priced again: its catalogue version is no longer stored.</summary>
    public const int UnexplainedExit = 3;

    private static Command ExplainCommand(Cli cli)
    {
        var usageId = new Argument<long>("usage-id") { Description = "The usage record's id (charges list --json gives usageId)" };
        var explain = new Command("explain", "Price a stored charge again with the catalogue version, plan and allowance balance it was rated with; print every part and say whether it equals the stored charge") { usageId };
        explain.SetAction(p => cli.Run(p, g => Explain(g, p.GetValue(usageId), Console.Out)));
        return explain;
    }

    public static int Explain(GlobalOptions g, long usageId, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var service = rt.Jobs.ChargeExplanations();
        if (service.Explain([usageId]) is not [var e])
        {
            var (exists, reason, detail) = service.WhyNoCharge(usageId);
            throw new UserErrorException(!exists ? $"No usage record {usageId}."
                : reason is not null ? $"Usage record {usageId} has no charge: it is held for rating ({reason}: {detail}); `billing suspense list` lists what is held."
                : $"Usage record {usageId} has no charge yet: `billing rate` rates it.");
        }

        var recomputed = e.Explanation?.Recomputed.Charge;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(ExplainJson(e), BillingConfig.Json));
        }
        else
        {
            WriteExplanation(output, e);
        }

        return e.Explanation is null ? UnexplainedExit : e.Explanation.Matches && recomputed is not null ? 0 : DiffersExit;
    }

    private static void WriteExplanation(TextWriter output, ExplainedCharge e)
    {
        var (c, version, explanation, wallet) = e;
        var u = c.Usage;
        var stored = c.Rating;
        var kind = u.Service;
        var plan = version?.Catalog.Plans.GetValueOrDefault(stored.PlanId);
        var zone = plan is not null ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(plan.TimeZone) ?? DateTimeZone.Utc : DateTimeZone.Utc;
        output.WriteLine($"Usage {u.Id} ({c.Source} {c.RecordKey}): {kind.Code()} from +{u.Msisdn}{(u.Destination is null ? "" : $" to {u.Destination}")}, " +
            $"{u.Start.InZone(zone).ToString("uuuu-MM-dd HH:mm:ss (ddd) z", CultureInfo.InvariantCulture)}, {u.Quantity:N0} {PriceCommand.Unit(kind)}");
        var billedBy = c.Prepaid
            ? wallet.Count == 0 ? "paid from the wallet (no debit recorded)" : $"paid from the wallet: {Sum(wallet.Sum(w => w.Debited))} debited, {Sum(wallet.Sum(w => w.Overdrawn))} overdraft"
            : c.InvoiceNumber is { } number ? $"billed on {number}{(c.Late ? " as late usage" : "")}" : "not invoiced yet";
        output.WriteLine($"account {c.AccountId} ({(c.Prepaid ? "prepaid" : "postpaid")}), subscription {c.SubscriptionId}, bill cycle from {LocalDatePattern.Iso.Format(c.CycleStart)}; {billedBy}");
        output.WriteLine($"rated with catalogue version {stored.CatalogVersion}" +
            (version is null ? " (no longer stored)" : $" ({version.Catalog.Version}, effective from {InstantPattern.General.Format(version.EffectiveFrom)})") +
            $", plan {stored.PlanId}" + (plan is null ? "" : $" ({plan.Currency}, {plan.TimeZone})"));
        output.WriteLine((stored.DestinationGroup is null ? "no destination (data)" : $"destination {stored.DestinationGroup}{(stored.MatchedPrefix is null ? "" : $" (prefix {stored.MatchedPrefix})")}") +
            $"; time band at the start {stored.TimeBand ?? "(not stored)"}; " +
            (stored.AllowanceId is null ? "no allowance used" : $"allowance {stored.AllowanceId}: {(stored.AllowanceBefore is { } before ? $"{before:N0} left before, " : "")}{stored.AllowanceUsed:N0} used" +
                (stored.AllowanceBefore is { } left ? $", {left - stored.AllowanceUsed:N0} left after" : " (balance before not stored: charge rated before V0014)")));
        output.WriteLine($"stored charge {stored.Amount.ToString("0.000000", CultureInfo.InvariantCulture)} {stored.Currency} (6 dp), billed {stored.BilledQuantity:N0} {PriceCommand.Unit(kind)}");
        if (explanation is null)
        {
            output.WriteLine($"Cannot price it again: catalogue version {stored.CatalogVersion} is no longer stored (a benchmark's, deleted by V0005).");
            return;
        }

        output.WriteLine();
        if (explanation.Recomputed.Charge is { } charge)
        {
            output.WriteLine("Priced again by the engine:");
            PriceCommand.WriteBreakdown(output, charge, zone, kind);
            if (version!.Catalog.Rates.GetValueOrDefault(charge.Parts.Count > 0 ? charge.Parts[0].RateId : "") is { } rate)
            {
                output.WriteLine($"rate {charge.Parts[0].RateId} rounds {rate.Rounding.ToString().ToLowerInvariant()} to {rate.RoundingDecimals} decimals" +
                    (rate.MinimumCharge > 0 ? $", minimum {rate.MinimumCharge.ToString(CultureInfo.InvariantCulture)}" : "") +
                    (rate.MaxCost > 0 ? $", maximum cost {rate.MaxCost.ToString(CultureInfo.InvariantCulture)} ({rate.MaxCostStrategy.ToString().ToLowerInvariant()})" : ""));
            }

            output.WriteLine($"cost {charge.Amount.ToString("0.000000", CultureInfo.InvariantCulture)} {charge.Currency}");
        }
        else
        {
            output.WriteLine($"Priced again by the engine: not priced ({explanation.Recomputed.FailureReason}): {explanation.Recomputed.FailureDetail}");
        }

        if (explanation.Matches)
        {
            output.WriteLine("The charge computed again equals the stored one (amount, currency, destination, prefix, time band, quantities, allowance).");
            return;
        }

        output.WriteLine($"DIFFERS from the stored charge in {explanation.Differences.Count} value(s):");
        var table = new TextTable("column", "stored", "computed again");
        foreach (var d in explanation.Differences)
        {
            table.Add(d.Field, d.Stored ?? "(null)", d.Recomputed ?? "(null)");
        }

        output.Write(table.ToString());
    }

    private static string Sum(decimal amount) => amount.ToString("0.000000", CultureInfo.InvariantCulture);

    private static object ExplainJson(ExplainedCharge e)
    {
        var (c, version, explanation, wallet) = e;
        var u = c.Usage;
        var s = c.Rating;
        return new
        {
            usageId = u.Id,
            source = c.Source,
            recordKey = c.RecordKey,
            msisdn = u.Msisdn,
            service = u.Service.Code(),
            destination = u.Destination,
            start = InstantPattern.ExtendedIso.Format(u.Start),
            quantity = u.Quantity,
            account = c.AccountId,
            paymentType = c.Prepaid ? "prepaid" : "postpaid",
            subscriptionId = c.SubscriptionId,
            cycleStart = LocalDatePattern.Iso.Format(c.CycleStart),
            late = c.Late,
            invoice = c.Prepaid ? null : c.InvoiceNumber,
            wallet = c.Prepaid ? new { debited = Sum(wallet.Sum(w => w.Debited)), overdrawn = Sum(wallet.Sum(w => w.Overdrawn)) } : null,
            stored = new
            {
                catalogVersion = s.CatalogVersion,
                plan = s.PlanId,
                amount = Sum(s.Amount),
                currency = s.Currency,
                destinationGroup = s.DestinationGroup,
                matchedPrefix = s.MatchedPrefix,
                timeBand = s.TimeBand,
                quantity = s.Quantity,
                billedQuantity = s.BilledQuantity,
                allowanceId = s.AllowanceId,
                allowanceUsed = s.AllowanceUsed,
                allowanceBefore = s.AllowanceBefore,
            },
            catalogue = version is null ? null : new { version = version.Id, label = version.Catalog.Version, effectiveFrom = InstantPattern.ExtendedIso.Format(version.EffectiveFrom) },
            recomputed = explanation?.Recomputed.Charge is { } charge ? PriceCommand.Json(charge, s.PlanId)
                : explanation is null ? null : new { rated = false, reason = explanation.Recomputed.FailureReason, detail = explanation.Recomputed.FailureDetail },
            matches = explanation?.Matches,
            differences = explanation?.Differences.Select(d => new { column = d.Field, stored = d.Stored, recomputed = d.Recomputed }),
        };
    }
}
