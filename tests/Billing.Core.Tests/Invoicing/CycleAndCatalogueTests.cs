using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Invoicing;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class CycleAndCatalogueTests
{
    [Theory]
    [InlineData("2026-03-01", "2026-02-01", 28)]
    [InlineData("2028-03-05", "2028-02-05", 29)]
    [InlineData("2026-12-01", "2026-11-01", 30)]
    [InlineData("2027-01-28", "2026-12-28", 31)]
    [InlineData("2026-01-05", "2025-12-05", 31)]   // across a year end
    public void The_cycle_ending_on_a_date_starts_a_month_earlier_on_the_same_day(string end, string start, int days)
    {
        var cycle = BillCycle.EndingOn(D(end));

        Assert.Equal((start, end, days), (Iso(cycle.Start), Iso(cycle.End), cycle.Days));
    }

    [Theory]
    [InlineData("2026-03-29")]
    [InlineData("2026-03-31")]
    public void No_cycle_ends_after_day_28(string end)
    {
        Assert.StartsWith("a cycle day is 1–28", Assert.Throws<ArgumentOutOfRangeException>(() => BillCycle.EndingOn(D(end))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-10-31", false)]
    [InlineData("2026-11-01", true)]
    [InlineData("2026-11-30", true)]
    [InlineData("2026-12-01", false)]
    public void A_cycle_contains_its_start_and_not_its_end(string date, bool contained)
    {
        Assert.Equal(contained, BillCycle.EndingOn(D("2026-12-01")).Contains(D(date)));
    }

    [Fact]
    public void A_cycle_needs_a_time_zone()
    {
        Assert.Throws<ArgumentNullException>(() => BillCycle.Containing(NodaTime.Instant.FromUtc(2026, 11, 1, 0, 0), null!, 5));
        Assert.Throws<ArgumentNullException>(() => BillCycle.EndingOn(D("2026-12-01")).ToInterval(null!));
    }

    [Fact]
    public void The_next_cycle_starts_where_this_one_ends()
    {
        var next = BillCycle.EndingOn(D("2027-01-28")).Next;

        Assert.Equal(("2027-01-28", "2027-02-28", 31), (Iso(next.Start), Iso(next.End), next.Days));
    }

    [Theory]
    [InlineData("2026-12-05", 5, "2026-11-05")]
    [InlineData("2026-12-05", 6, null)]
    [InlineData("2026-12-01", 1, "2026-11-01")]
    [InlineData("2026-02-28", 28, "2026-01-28")]
    [InlineData("2026-12-31", 28, null)]     // no account has cycle day 31
    public void A_bill_run_closes_the_cycle_ending_on_its_date_for_accounts_with_that_cycle_day(string run, int cycleDay, string? start)
    {
        var cycle = BillCycle.ClosedOn(D(run), cycleDay);

        Assert.Equal(start, cycle is { } c ? Iso(c.Start) : null);
        Assert.True(cycle is null || cycle.Value.End == D(run));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(29)]
    public void A_bill_run_refuses_a_cycle_day_outside_1_to_28(int cycleDay)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BillCycle.ClosedOn(D("2026-12-05"), cycleDay));
    }

    [Theory]
    [InlineData("2026-11-01", "2026-11-30")]   // ends on day 30
    [InlineData("2026-11-01", "2026-11-28")]   // shorter than a month
    [InlineData("2026-10-28", "2026-12-28")]   // two months
    public void An_invoice_request_refuses_an_interval_that_is_not_one_bill_cycle(string start, string end)
    {
        var ex = Assert.Throws<ArgumentException>(() => Request(new BillCycle(D(start), D(end))));

        Assert.Contains("is not one bill cycle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recurring_fee_is_billed_in_advance_unless_the_catalogue_says_arrears()
    {
        Assert.Equal(FeeBilling.Advance, new RecurringFee("F", "Fee", 1m).Billing);
    }

    [Fact]
    public void A_tax_table_refuses_two_rates_of_one_category_from_the_same_date()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TaxTable([new TaxRate("GB", "standard", 0.20m, "VAT"), new TaxRate("GB", "standard", 0.21m, "VAT")]));
        var dated = Assert.Throws<ArgumentException>(() => new TaxTable([new TaxRate("GB", "standard", 0.20m, "VAT", D("2027-01-01")), new TaxRate("GB", "standard", 0.21m, "VAT", D("2027-01-01"))]));

        Assert.Contains("two tax rates for region GB, category standard from always", ex.Message, StringComparison.Ordinal);
        Assert.Contains("two tax rates for region GB, category standard from 2027-01-01", dated.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new TaxTable(null!));
    }

    [Theory]
    [InlineData("", "standard", 0.20, "a tax rate needs a region")]
    [InlineData("GB", " ", 0.20, "a tax rate needs a category")]
    [InlineData("GB", "standard", -0.01, "a tax rate is a fraction ≥ 0 (0.20 for 20 %)")]
    public void A_tax_rate_needs_a_region_a_category_and_a_rate_of_zero_or_more(string region, string category, decimal rate, string reason)
    {
        Assert.StartsWith(reason, Assert.ThrowsAny<ArgumentException>(() => new TaxRate(region, category, rate, "VAT")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_tax_rate_is_a_rate()
    {
        var table = new TaxTable([new TaxRate("GB", "zero", 0m, "Zero-rated")]);

        Assert.Equal(0m, table.RateOn("GB", "zero", D("2026-01-01"))!.Rate);
        Assert.Null(table.RateOn("GB", "standard", D("2026-01-01")));
        Assert.Null(table.RateOn("IE", "zero", D("2026-01-01")));
    }

    [Fact]
    public void A_dated_rate_does_not_apply_before_its_date()
    {
        var table = new TaxTable([new TaxRate("GB", "standard", 0.20m, "VAT", D("2027-01-01"))]);

        Assert.Null(table.RateOn("GB", "standard", D("2026-12-31")));
        Assert.Equal(0.20m, table.RateOn("GB", "standard", D("2027-01-01"))!.Rate);
    }

    [Theory]
    [InlineData(DiscountKind.Percentage, 0)]
    [InlineData(DiscountKind.Percentage, 1.01)]
    [InlineData(DiscountKind.Fixed, 0)]
    [InlineData(DiscountKind.Fixed, -5)]
    public void A_discount_rule_needs_a_fraction_in_0_to_1_or_a_positive_amount(DiscountKind kind, decimal value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DiscountRule("D1", "x", DiscountScope.Plan, "P1", kind, value, DiscountedLines.Usage));

        Assert.StartsWith("a percentage is a fraction in (0, 1], a fixed discount an amount > 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DiscountKind.Percentage, 1)]
    [InlineData(DiscountKind.Percentage, 0.01)]
    [InlineData(DiscountKind.Fixed, 0.01)]
    public void A_discount_rule_accepts_its_boundary_values(DiscountKind kind, decimal value)
    {
        Assert.Equal(value, new DiscountRule("D1", "x", DiscountScope.Plan, "P1", kind, value, DiscountedLines.Usage).Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void A_discount_rule_applies_to_usage_recurring_or_one_time_lines(int lines)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DiscountRule("D1", "x", DiscountScope.Plan, "P1", DiscountKind.Fixed, 1m, (DiscountedLines)lines));

        Assert.StartsWith("a discount applies to usage, recurring and/or one-time lines", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_discount_rule_needs_an_id_and_a_scope()
    {
        Assert.StartsWith("a discount rule needs an id", Assert.Throws<ArgumentException>(() => new DiscountRule(" ", "x", DiscountScope.Plan, "P1", DiscountKind.Fixed, 1m, DiscountedLines.Usage)).Message, StringComparison.Ordinal);
        Assert.StartsWith("a discount rule needs a plan or account id", Assert.Throws<ArgumentException>(() => new DiscountRule("D1", "x", DiscountScope.Plan, "", DiscountKind.Fixed, 1m, DiscountedLines.Usage)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(InvoiceLineKind.Usage, "usage")]
    [InlineData(InvoiceLineKind.Recurring, "recurring")]
    [InlineData(InvoiceLineKind.OneTime, "one-time")]
    [InlineData(InvoiceLineKind.Discount, "discount")]
    [InlineData(InvoiceLineKind.Adjustment, "adjustment")]
    [InlineData(InvoiceLineKind.LateUsage, "late-usage")]
    [InlineData(InvoiceLineKind.Overdraft, "overdraft")]
    public void Each_line_kind_has_its_code_and_reads_back_from_it(InvoiceLineKind kind, string code)
    {
        Assert.Equal(code, kind.Code());
        Assert.True(InvoiceLineKinds.TryParse(code, out var parsed));
        Assert.Equal(kind, parsed);
    }

    [Theory]
    [InlineData("Usage")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_line_kind_code_does_not_parse(string? code)
    {
        Assert.False(InvoiceLineKinds.TryParse(code, out _));
    }
}
