using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class UsageAndChargesTests
{
    [Theory]
    [InlineData("EUR", 0.999999, 1.00)]     // three charges of 0.333333: rounded once, 1.00 — rounding each would give 0.99
    [InlineData("EUR", 0.004999, 0.00)]
    [InlineData("EUR", 0.005, 0.01)]
    [InlineData("EUR", 0.125, 0.13)]        // half away from zero, not banker's 0.12
    [InlineData("EUR", 1.2345, 1.23)]
    [InlineData("EUR", 0, 0.00)]
    [InlineData("JPY", 100.5, 101)]
    [InlineData("KWD", 1.2345, 1.235)]      // banker's would give 1.234
    public void A_usage_line_is_the_exact_sum_of_its_charges_rounded_once_to_the_minor_unit(string currency, decimal sum, decimal amount)
    {
        var account = PostpaidTerms(currency: Currency.Of(currency));

        var draft = Calculate(Closing("2026-12-01"), account, usage: [Summary(sum, charges: 3)]);

        var line = Assert.Single(draft.Lines);
        Assert.Equal((InvoiceLineKind.Usage, amount, currency), (line.Kind, line.Amount.Amount, line.Amount.Currency.Code));
        Assert.Equal(3L, line.ChargeCount);
    }

    [Fact]
    public void A_usage_line_carries_quantity_allowance_used_and_the_cycle_as_its_period()
    {
        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(0.000000m, charges: 212, quantity: 18_000, allowance: 18_000), Summary(4.56m, service: ServiceType.Data, group: "*any", quantity: 2_000_000_000, allowance: 1_073_741_824, tax: "reduced")]);

        Assert.Equal(
            [("Voice – national", ServiceType.Voice, "national", 18_000L, 18_000L, 0.00m, "standard"), ("Data – *any", ServiceType.Data, "*any", 2_000_000_000L, 1_073_741_824L, 4.56m, "reduced")],
            draft.Lines.Select(l => (l.Description, l.Service!.Value, l.DestinationGroup!, l.Quantity!.Value, l.AllowanceUsed!.Value, l.Amount.Amount, l.TaxCategory)));
        Assert.All(draft.Lines, l => Assert.Equal(("2026-11-01", "2026-12-01", "P1", "S1"), (Iso(l.PeriodStart), Iso(l.PeriodEnd), l.PlanId!, l.SubscriptionId!)));
    }

    [Fact]
    public void Late_usage_is_its_own_line_with_its_original_cycle()
    {
        var late = new LateUsageSummary(Summary(2.345678m, charges: 4, service: ServiceType.Sms, group: "international"), Closing("2026-11-01"));

        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(1.00m)], lateUsage: [late]);

        Assert.Equal([("usage", "2026-11-01", "2026-12-01", 1.00m), ("late-usage", "2026-10-01", "2026-11-01", 2.35m)], draft.Shape());
        Assert.Equal("Late usage of 1 Oct – 31 Oct 2026: SMS – international", draft.Lines[1].Description);
        Assert.Equal(4L, draft.Lines[1].ChargeCount);
    }

    [Fact]
    public void A_prepaid_account_is_invoiced_only_for_fees_overdraft_one_time_charges_and_adjustments()
    {
        var overdraft = new OverdraftSummary("447700900001", 3.141592m, 7, D("2026-11-03"), D("2026-11-20"), "standard");
        var oneTime = new OneTimeCharge("C1", "SIM replacement", 5.00m, "standard", "447700900001", D("2026-11-10"));
        var adjustment = new Adjustment("A1", "Goodwill", -1.00m, "standard", AdjustmentKind.Manual, null, D("2026-11-12"));

        var draft = Calculate(Closing("2026-12-01"), PrepaidTerms(), subscriptions: [On("P1", "2026-10-01")], fees: Plans(("P1", Fee(10.00m, FeeBilling.Arrears))),
            usage: [Summary(12.34m)], lateUsage: [new LateUsageSummary(Summary(1.00m), Closing("2026-11-01"))], overdraft: [overdraft], oneTime: [oneTime], adjustments: [adjustment]);

        Assert.Equal(
            [("recurring", "2026-11-01", "2026-12-01", 10.00m), ("overdraft", "2026-11-03", "2026-11-21", 3.14m), ("one-time", "2026-11-10", "2026-11-11", 5.00m), ("adjustment", "2026-11-12", "2026-11-13", -1.00m)],
            draft.Shape());
        Assert.Equal("Usage beyond prepaid credit, 3 Nov – 20 Nov 2026", draft.Lines[1].Description);
        Assert.Equal(7L, draft.Lines[1].ChargeCount);
        Assert.DoesNotContain(draft.Warnings, w => w.Code == InvoiceWarningCode.NoUsage);
    }

    [Fact]
    public void Re_rate_deltas_of_one_original_invoice_are_summed_exactly_and_rounded_once_into_one_line()
    {
        Adjustment Rerate(string id, decimal amount, string? invoice, string date) => new(id, "re-rate", amount, "standard", AdjustmentKind.Rerate, invoice, D(date));

        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(1.00m)], adjustments:
        [
            Rerate("R3", -0.333333m, "INV-2026-000007", "2026-11-20"),
            Rerate("R1", -0.333333m, "INV-2026-000007", "2026-11-05"),
            Rerate("R2", -0.333333m, "INV-2026-000007", "2026-11-12"),
            Rerate("R4", 0.004m, "INV-2026-000009", "2026-11-12"),
            new Adjustment("M1", "Missed discount", -2.004999m, "standard", AdjustmentKind.Manual, "INV-2026-000007", D("2026-11-15")),
        ]);

        var adjustments = draft.Lines.Where(l => l.Kind == InvoiceLineKind.Adjustment).ToList();
        Assert.Equal(
            [("Re-rating of usage invoiced on INV-2026-000007", "2026-11-05", "2026-11-21", -1.00m, "R1,R2,R3"), ("Re-rating of usage invoiced on INV-2026-000009", "2026-11-12", "2026-11-13", 0.00m, "R4"), ("Missed discount", "2026-11-15", "2026-11-16", -2.00m, "M1")],
            adjustments.Select(l => (l.Description, Iso(l.PeriodStart), Iso(l.PeriodEnd), l.Amount.Amount, string.Join(",", l.SourceIds))));
        Assert.Equal(["INV-2026-000007", "INV-2026-000009", "INV-2026-000007"], adjustments.Select(l => l.OriginalInvoiceNumber));
    }

    [Fact]
    public void Re_rate_deltas_without_an_original_invoice_and_in_two_tax_categories_make_one_line_per_category()
    {
        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(1.00m)], adjustments:
        [
            new Adjustment("R1", "x", 0.005m, "standard", AdjustmentKind.Rerate, null, D("2026-11-05")),
            new Adjustment("R2", "x", 0.005m, "standard", AdjustmentKind.Rerate, null, D("2026-11-06")),
            new Adjustment("R3", "x", 0.005m, "reduced", AdjustmentKind.Rerate, null, D("2026-11-07")),
        ]);

        Assert.Equal([("Re-rating of usage", "standard", 0.01m), ("Re-rating of usage", "reduced", 0.01m)],
            draft.Lines.Where(l => l.Kind == InvoiceLineKind.Adjustment).OrderBy(l => l.SourceIds[0], StringComparer.Ordinal).Select(l => (l.Description, l.TaxCategory, l.Amount.Amount)));
    }

    [Fact]
    public void Manual_adjustments_are_one_line_each_even_for_the_same_invoice_and_category()
    {
        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(1.00m)], adjustments:
        [
            new Adjustment("M1", "Goodwill", -0.004m, "standard", AdjustmentKind.Manual, "INV-2026-000007", D("2026-11-05")),
            new Adjustment("M2", "Late fee waived", -0.004m, "standard", AdjustmentKind.Manual, "INV-2026-000007", D("2026-11-05")),
        ]);

        Assert.Equal([("Goodwill", 0.00m, "M1"), ("Late fee waived", 0.00m, "M2")],
            draft.Lines.Where(l => l.Kind == InvoiceLineKind.Adjustment).Select(l => (l.Description, l.Amount.Amount, l.SourceIds.Single())));
    }

    [Fact]
    public void A_one_time_charge_is_invoiced_as_given_on_its_date()
    {
        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(1.00m)], oneTime: [new OneTimeCharge("C9", "Itemised bill", 2.50m, "reduced", null, D("2026-11-30"))]);

        var line = draft.Lines.Single(l => l.Kind == InvoiceLineKind.OneTime);
        Assert.Equal(("Itemised bill", "2026-11-30", "2026-12-01", 2.50m, "reduced", "C9"), (line.Description, Iso(line.PeriodStart), Iso(line.PeriodEnd), line.Amount.Amount, line.TaxCategory, line.SourceIds.Single()));
    }

    [Fact]
    public void Two_one_time_charges_alike_but_for_their_id_come_in_id_order()
    {
        var draft = Calculate(Closing("2026-12-01"), usage: [Summary(1.00m)],
            oneTime: [new OneTimeCharge("C2", "Setup", 5.00m, "standard", null, D("2026-11-30")), new OneTimeCharge("C1", "Setup", 5.00m, "standard", null, D("2026-11-30"))]);

        Assert.Equal(["C1", "C2"], draft.Lines.Where(l => l.Kind == InvoiceLineKind.OneTime).Select(l => l.SourceIds.Single()));
    }

    [Fact]
    public void A_one_time_charge_finer_than_the_minor_unit_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Calculate(Closing("2026-12-01"), oneTime: [new OneTimeCharge("C1", "x", 2.505m, "standard", null, D("2026-11-30"))]));

        Assert.Contains("one-time charge C1 of 2.505 has more decimals than EUR allows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_come_in_kind_order_then_msisdn_service_destination_group_and_period_start_whatever_the_input_order()
    {
        var draft = Calculate(Closing("2026-12-01"),
            subscriptions: [On("P1", "2026-10-01", subscription: "S2", msisdn: "447700900002"), On("P1", "2026-10-01")],
            fees: Plans(("P1", Fee(10.00m, FeeBilling.Arrears))),
            usage: [Summary(1m, msisdn: "447700900002", subscription: "S2"), Summary(2m, service: ServiceType.Data), Summary(3m, group: "mobile"), Summary(4m)],
            lateUsage: [new LateUsageSummary(Summary(5m), Closing("2026-11-01")), new LateUsageSummary(Summary(6m), Closing("2026-10-01"))],
            oneTime: [new OneTimeCharge("C2", "b", 7m, "standard", "447700900002", D("2026-11-02")), new OneTimeCharge("C1", "a", 8m, "standard", null, D("2026-11-20"))],
            adjustments: [new Adjustment("A1", "x", 9m, "standard", AdjustmentKind.Manual, null, D("2026-11-03"))],
            overdraft: [new OverdraftSummary("447700900001", 10m, 1, D("2026-11-01"), D("2026-11-01"), "standard")],
            discounts: [new DiscountRule("D1", "Loyalty", DiscountScope.Account, "ACC1", DiscountKind.Fixed, 1m, DiscountedLines.OneTime)]);

        Assert.Equal(
            [
                ("recurring", "447700900001", 10m), ("recurring", "447700900002", 10m),
                ("usage", "447700900001", 3m), ("usage", "447700900001", 4m), ("usage", "447700900001", 2m), ("usage", "447700900002", 1m),
                ("late-usage", "447700900001", 6m), ("late-usage", "447700900001", 5m),
                ("overdraft", "447700900001", 10m),
                ("one-time", "", 8m), ("one-time", "447700900002", 7m),
                ("adjustment", "", 9m),
                ("discount", "", -1m),
            ],
            draft.Lines.Select(l => (l.Kind.Code(), l.Msisdn ?? "", l.Amount.Amount)));
        Assert.Equal(Enumerable.Range(1, 13), draft.Lines.Select(l => l.Number));
    }
}
