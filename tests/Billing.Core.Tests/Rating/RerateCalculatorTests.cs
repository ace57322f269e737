using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

using Money = Billing.Core.Money.Money;

/// <summary>A re-rate's difference, computed from plain values before anything is changed.</summary>
public class RerateCalculatorTests
{
    private const long Sub = 7;
    private static readonly LocalDate Nov1 = new(2026, 11, 1);
    private static readonly Subscriber Postpaid = new(Sub, "P", "A-1", DateTimeZoneProviders.Tzdb["Europe/London"], 1, PaymentType.Postpaid, Currency.Of("GBP"));

    /// <summary>The fixed tariff: 0.30 a minute by the second; 60 s of allowance "MIN" a cycle.</summary>
    private static CatalogTimeline Fixed() => new([OnePlanCatalog.Version(2, Instant.FromUtc(2026, 1, 1, 0, 0), perMinute: 0.30m, minutes: 60)]);

    private static Money Gbp(decimal amount) => Money.Of(amount, "GBP");

    private static UsageToRate Call(long id, int hour, long seconds) =>
        new(id, "447700900100", ServiceType.Voice, "442079460001", Instant.FromUtc(2026, 11, 10, hour, 0), seconds, 0, Postpaid) { Retaken = true };

    [Fact]
    public void An_invoiced_call_keeps_its_allowance_and_records_its_new_price_as_an_adjustment_while_open_calls_are_rated_again()
    {
        // Invoiced: 120 s at 09:00, 60 s of it covered, billed 0.20. Open: 60 s at 10:00, billed 0.20 before the fix.
        var invoiced = new InvoicedCharge(Call(1, 9, 120), "A-1", "P", Nov1, 77, "GBP", "MIN", 60, 0.20m);
        var before = new Dictionary<long, (string, Money)> { [1] = ("A-1", Gbp(0.20m)), [2] = ("A-1", Gbp(0.20m)) };
        var used = new Dictionary<(long, string, LocalDate), long> { [(Sub, "MIN", Nov1)] = 60 };

        var difference = RerateCalculator.Compute([(Sub, Nov1)], [new UsageInCycle(Call(2, 10, 60), Nov1)], [invoiced], before,
            new RatingInputs(Fixed(), used, new Dictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>>(), new Dictionary<string, Currency>()));

        // The invoiced call used the whole allowance: the open one pays 60 s at 0.30; the invoiced one is 60 s at 0.30 now.
        Assert.Equal([(2L, 0.30m)], difference.Rating.Charges.Select(c => (c.Usage.Id, c.Charge.Amount)));
        var adjustment = Assert.Single(difference.Adjustments);
        Assert.Equal((1L, 0.30m, 0.10m, 2), (adjustment.Charge.Usage.Id, adjustment.NewAmount, adjustment.Delta, adjustment.CatalogVersion));
        Assert.Equal([new RerateAccountDelta("A-1", 2, Gbp(0.40m), Gbp(0.60m), 1)], difference.Accounts);
        Assert.Equal(Gbp(0.20m), difference.Accounts[0].Delta);
    }

    [Fact]
    public void A_call_repriced_in_another_currency_counts_in_that_currencys_row_and_no_sum_mixes_two()
    {
        var euros = new CatalogTimeline([OnePlanCatalog.Version(2, Instant.FromUtc(2026, 1, 1, 0, 0), perMinute: 0.30m, minutes: 0, currency: "EUR")]);
        var before = new Dictionary<long, (string, Money)> { [2] = ("A-1", Gbp(0.20m)) };

        var difference = RerateCalculator.Compute([(Sub, Nov1)], [new UsageInCycle(Call(2, 10, 60), Nov1)], [], before,
            new RatingInputs(euros, new Dictionary<(long, string, LocalDate), long>(), new Dictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>>(), new Dictionary<string, Currency>()));

        Assert.Equal(
            [new RerateAccountDelta("A-1", 0, Money.Of(0m, "EUR"), Money.Of(0.30m, "EUR"), 0), new RerateAccountDelta("A-1", 1, Gbp(0.20m), Gbp(0m), 0)],
            difference.Accounts);
    }

    /// <summary>
    /// An invoice billed the call in GBP; its plan now prices in EUR (0.30 EUR). The difference is no amount of either currency:
    /// no adjustment (0.30 EUR − 0.20 GBP posted as 0.10 GBP would be), and the call stays at what it was billed.
    /// </summary>
    [Fact]
    public void An_invoiced_call_repriced_in_another_currency_records_no_adjustment_mixing_the_two()
    {
        var euros = new CatalogTimeline([OnePlanCatalog.Version(2, Instant.FromUtc(2026, 1, 1, 0, 0), perMinute: 0.30m, minutes: 0, currency: "EUR")]);
        var invoiced = new InvoicedCharge(Call(1, 9, 60), "A-1", "P", Nov1, 77, "GBP", null, 0, 0.20m);
        var before = new Dictionary<long, (string, Money)> { [1] = ("A-1", Gbp(0.20m)) };

        var difference = RerateCalculator.Compute([(Sub, Nov1)], [], [invoiced], before,
            new RatingInputs(euros, new Dictionary<(long, string, LocalDate), long>(), new Dictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>>(), new Dictionary<string, Currency>()));

        Assert.Empty(difference.Adjustments);
        Assert.Equal([new RerateAccountDelta("A-1", 1, Gbp(0.20m), Gbp(0.20m), 0)], difference.Accounts);
    }

    [Fact]
    public void Allowance_used_in_a_re_rated_cycle_counts_only_its_invoiced_charges_and_other_cycles_keep_theirs()
    {
        var oct1 = new LocalDate(2026, 10, 1);
        var used = new Dictionary<(long, string, LocalDate), long> { [(Sub, "MIN", Nov1)] = 60, [(Sub, "MIN", oct1)] = 45, [(Sub, "SMS", Nov1)] = 3 };
        var invoiced = new InvoicedCharge(Call(1, 9, 120), "A-1", "P", Nov1, 77, "GBP", "MIN", 20, 0.50m);

        var after = RerateCalculator.UsedByInvoicedCharges([(Sub, Nov1)], [invoiced], used);

        Assert.Equal(new Dictionary<(long, string, LocalDate), long> { [(Sub, "MIN", Nov1)] = 20, [(Sub, "MIN", oct1)] = 45, [(Sub, "SMS", Nov1)] = 0 }, after);
    }
}
