using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using Billing.Core.Usage;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class DiscountAndTaxTests
{
    private static readonly Billing.Core.Cycles.BillCycle November = Closing("2026-12-01");

    /// <summary>S1 on P1 in November: a 30.00 arrears fee and 33.35 of voice (standard 63.35), 10.05 of data (reduced).</summary>
    private static InvoiceDraft TwoCategories(params DiscountRule[] discounts) =>
        Calculate(November,
            subscriptions: [On("P1", "2026-10-01")],
            fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))),
            usage: [Summary(33.35m), Summary(10.05m, service: ServiceType.Data, tax: "reduced")],
            discounts: discounts);

    private static DiscountRule Percent(decimal fraction, DiscountedLines lines = DiscountedLines.Usage | DiscountedLines.Recurring, DiscountScope scope = DiscountScope.Plan, string scopeId = "P1", string id = "D1") =>
        new(id, $"{fraction:P0} off", scope, scopeId, DiscountKind.Percentage, fraction, lines);

    private static DiscountRule Fixed(decimal amount, DiscountedLines lines = DiscountedLines.Usage | DiscountedLines.Recurring, DiscountScope scope = DiscountScope.Account, string scopeId = "ACC1", string id = "D1") =>
        new(id, $"{amount} off", scope, scopeId, DiscountKind.Fixed, amount, lines);

    private static IEnumerable<(string Rule, string Category, decimal Amount)> Discounts(InvoiceDraft draft) =>
        draft.Lines.Where(l => l.Kind == InvoiceLineKind.Discount).Select(l => (l.RuleId!, l.TaxCategory, l.Amount.Amount));

    private static IEnumerable<(string Category, decimal Base, decimal Tax)> TaxesOf(InvoiceDraft draft) =>
        draft.Taxes.Select(t => (t.Category, t.Base.Amount, t.Amount.Amount));

    [Fact]
    public void A_percentage_discount_takes_its_rounded_share_of_each_tax_category_before_tax()
    {
        // 10 % of 63.35 = 6.335 → 6.34; of 10.05 = 1.005 → 1.01.
        var draft = TwoCategories(Percent(0.10m));

        Assert.Equal([("D1", "reduced", -1.01m), ("D1", "standard", -6.34m)], Discounts(draft));
        Assert.Equal([("reduced", 9.04m, 0.45m), ("standard", 57.01m, 11.40m)], TaxesOf(draft));
        Assert.Equal((66.05m, 11.85m, 77.90m), (draft.Subtotal.Amount, draft.Tax.Amount, draft.Total.Amount));
        Assert.Equal(["P1", "P1"], draft.Lines.Where(l => l.Kind == InvoiceLineKind.Discount).Select(l => l.PlanId));
    }

    [Fact]
    public void A_fixed_discount_is_split_over_tax_categories_by_their_base_with_the_remainder_on_the_largest()
    {
        // 22.02 × 63.35 / 73.40 = 19.005 → 19.01 and 22.02 × 10.05 / 73.40 = 3.015 → 3.02 make 22.03: the cent comes off the largest.
        var draft = TwoCategories(Fixed(22.02m));

        Assert.Equal([("D1", "reduced", -3.02m), ("D1", "standard", -19.00m)], Discounts(draft));
        Assert.Equal([("reduced", 7.03m, 0.35m), ("standard", 44.35m, 8.87m)], TaxesOf(draft));
        Assert.Equal((51.38m, 9.22m, 60.60m), (draft.Subtotal.Amount, draft.Tax.Amount, draft.Total.Amount));
        Assert.All(draft.Lines.Where(l => l.Kind == InvoiceLineKind.Discount), l => Assert.Null(l.PlanId));
    }

    [Fact]
    public void A_fixed_discount_above_the_eligible_base_is_capped_so_the_discounted_base_is_zero_not_negative()
    {
        var draft = TwoCategories(Fixed(100.00m));

        Assert.Equal([("D1", "reduced", -10.05m), ("D1", "standard", -63.35m)], Discounts(draft));
        Assert.Equal((0.00m, 0.00m, 0.00m), (draft.Subtotal.Amount, draft.Tax.Amount, draft.Total.Amount));
        Assert.DoesNotContain(draft.Warnings, w => w.Code == InvoiceWarningCode.NegativeTotal);
    }

    [Fact]
    public void A_fixed_discount_over_equal_bases_puts_the_remainder_on_the_first_category_by_name()
    {
        // 0.03 over 1.00 and 1.00: 0.015 → 0.02 twice makes 0.04; "reduced" comes first and gives back the cent.
        var draft = Calculate(November, usage: [Summary(1.00m), Summary(1.00m, service: ServiceType.Data, tax: "reduced")], discounts: [Fixed(0.03m, DiscountedLines.Usage)]);

        Assert.Equal([("D1", "reduced", -0.01m), ("D1", "standard", -0.02m)], Discounts(draft));
    }

    [Fact]
    public void A_full_percentage_discount_then_a_fixed_one_leaves_nothing_for_the_second()
    {
        var draft = TwoCategories(Percent(1m, id: "D1"), Fixed(5.00m, id: "D2"));

        Assert.Equal([("D1", "reduced", -10.05m), ("D1", "standard", -63.35m)], Discounts(draft));
        Assert.Equal(0.00m, draft.Total.Amount);
    }

    [Fact]
    public void Two_rules_apply_in_order_of_id_each_to_what_the_earlier_left()
    {
        // D1's 70.05 takes 60.46 of the 63.35 standard base and 9.59 of the 10.05 reduced; D2's 50 % then finds 2.89 and 0.46 left: 1.445 → 1.45, 0.23.
        var draft = TwoCategories(Percent(0.50m, id: "D2"), Fixed(70.05m, id: "D1"));

        Assert.Equal([("D1", "reduced", -9.59m), ("D1", "standard", -60.46m), ("D2", "reduced", -0.23m), ("D2", "standard", -1.45m)], Discounts(draft));
    }

    [Fact]
    public void A_rule_on_recurring_lines_only_takes_nothing_from_usage()
    {
        var draft = TwoCategories(Percent(0.10m, DiscountedLines.Recurring));

        Assert.Equal([("D1", "standard", -3.00m)], Discounts(draft));
    }

    [Fact]
    public void A_plan_rule_skips_other_plans_and_one_time_charges_which_belong_to_no_plan()
    {
        var draft = Calculate(November,
            usage: [Summary(10.00m, plan: "P1"), Summary(20.00m, plan: "P2", subscription: "S2", msisdn: "447700900002")],
            oneTime: [new OneTimeCharge("C1", "Setup", 40.00m, "standard", null, D("2026-11-03"))],
            discounts: [Percent(0.10m, DiscountedLines.Usage | DiscountedLines.OneTime), Percent(0.50m, DiscountedLines.OneTime, DiscountScope.Account, "ACC1", "D2")]);

        Assert.Equal([("D1", "standard", -1.00m), ("D2", "standard", -20.00m)], Discounts(draft));
    }

    [Fact]
    public void An_account_rule_for_another_account_gives_nothing()
    {
        var draft = TwoCategories(Fixed(5.00m, scopeId: "ACC2"));

        Assert.Empty(Discounts(draft));
    }

    [Fact]
    public void No_discount_when_the_eligible_base_is_zero_or_negative()
    {
        // Only a termination credit of -20.32 is eligible.
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01", "2026-12-11")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 30.00m)], usage: [Summary(0.00m)],
            discounts: [Percent(0.10m), Fixed(5.00m, id: "D2")]);

        Assert.Empty(Discounts(draft));
        Assert.Equal(-20.32m, draft.Subtotal.Amount);
    }

    [Fact]
    public void A_discount_that_rounds_to_nothing_makes_no_line()
    {
        var draft = Calculate(November, usage: [Summary(0.04m)], discounts: [Percent(0.10m, DiscountedLines.Usage)]);

        Assert.Empty(Discounts(draft));
    }

    [Fact]
    public void Tax_is_computed_per_category_on_its_rounded_subtotal_not_per_line()
    {
        // standard 5.01 + 5.02 = 10.03 × 0.20 = 2.006 → 2.01 (per line it would be 1.00 + 1.00); reduced 10.10 × 0.05 = 0.505 → 0.51.
        var draft = Calculate(November, usage: [Summary(5.01m), Summary(5.02m, group: "mobile"), Summary(10.10m, service: ServiceType.Data, tax: "reduced")]);

        Assert.Equal([("reduced", 10.10m, 0.51m), ("standard", 10.03m, 2.01m)], TaxesOf(draft));
        Assert.Equal(["VAT reduced", "VAT"], draft.Taxes.Select(t => t.Name));
        Assert.Equal([0.05m, 0.20m], draft.Taxes.Select(t => t.Rate));
        Assert.Equal((20.13m, 2.52m, 22.65m), (draft.Subtotal.Amount, draft.Tax.Amount, draft.Total.Amount));
        Assert.True(draft.CanBeIssued);
    }

    [Theory]
    [InlineData("2026-12-31", 0.20)]
    [InlineData("2027-01-01", 0.21)]   // the new rate from its first day
    [InlineData("2027-06-30", 0.21)]
    [InlineData("2027-07-01", 0.19)]
    public void The_tax_rate_is_the_one_in_force_on_the_issue_date(string issued, decimal rate)
    {
        var taxes = new TaxTable([new TaxRate("GB", "standard", 0.21m, "VAT", D("2027-01-01")), new TaxRate("GB", "standard", 0.20m, "VAT"), new TaxRate("GB", "standard", 0.19m, "VAT", D("2027-07-01"))]);

        var draft = Calculate(November, taxes: taxes, usage: [Summary(100.00m)], issueDate: D(issued));

        Assert.Equal((rate, 100.00m * rate), (draft.Taxes.Single().Rate, draft.Tax.Amount));
    }

    [Fact]
    public void A_category_without_a_rate_is_an_error_on_the_draft_and_never_a_silent_zero()
    {
        var taxes = new TaxTable([new TaxRate("GB", "standard", 0.20m, "VAT"), new TaxRate("IE", "reduced", 0.05m, "VAT"), new TaxRate("GB", "reduced", 0.05m, "VAT", D("2027-01-01"))]);

        var draft = Calculate(November, taxes: taxes, usage: [Summary(10.00m), Summary(5.00m, service: ServiceType.Data, tax: "reduced")]);

        var error = Assert.Single(draft.Errors);
        Assert.Equal((InvoiceErrorCode.MissingTaxRate, "no tax rate for region GB, category reduced on 2026-12-01 (base 5.00 EUR)"), (error.Code, error.Message));
        Assert.False(draft.CanBeIssued);
        Assert.Equal([("standard", 10.00m, 2.00m)], TaxesOf(draft));
        Assert.Equal((15.00m, 2.00m, 17.00m), (draft.Subtotal.Amount, draft.Tax.Amount, draft.Total.Amount));
    }
}
