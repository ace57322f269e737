using Billing.Core.Accounts;
using Billing.Core.Invoicing;
using Billing.Core.Usage;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

/// <summary>Inputs that no correct caller gives are refused when the request is built.</summary>
public sealed class InvoiceRequestTests
{
    private static readonly Billing.Core.Cycles.BillCycle November = Closing("2026-12-01");

    [Fact]
    public void Two_periods_of_one_subscription_that_overlap_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Request(November, subscriptions: [On("P1", "2026-10-01", "2026-11-11"), On("P2", "2026-11-10")]));

        Assert.Contains("subscription periods of S1 overlap at 2026-11-10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_open_period_followed_by_another_is_an_overlap()
    {
        Assert.Throws<ArgumentException>(() => Request(November, subscriptions: [On("P1", "2026-10-01"), On("P2", "2026-11-10")]));
    }

    [Fact]
    public void Periods_that_touch_and_periods_of_different_subscriptions_are_accepted()
    {
        var request = Request(November, subscriptions: [On("P1", "2026-10-01", "2026-11-10"), On("P2", "2026-11-10"), On("P1", "2026-10-01", subscription: "S2")]);

        Assert.Equal(3, request.Subscriptions.Count);
    }

    [Fact]
    public void Earlier_recurring_lines_of_one_fee_that_overlap_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Request(November, issued: [Billed("P1", "2026-11-01", "2026-12-01", 30m), Billed("P1", "2026-11-30", "2026-12-15", 5m)]));

        Assert.Contains("issued recurring lines of (S1, P1, monthly) overlap at 2026-11-30", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-10", "2026-11-10")]
    [InlineData("2026-11-10", "2026-11-09")]
    public void A_period_ends_after_it_starts(string from, string to)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => On("P1", from, to));
        Assert.Throws<ArgumentOutOfRangeException>(() => Billed("P1", from, to, 1m));
    }

    [Fact]
    public void A_one_day_period_covers_only_its_day()
    {
        var period = On("P1", "2026-11-10", "2026-11-11");

        Assert.Equal((false, true, false), (period.Covers(D("2026-11-09")), period.Covers(D("2026-11-10")), period.Covers(D("2026-11-11"))));
        Assert.Equal(1, Billed("P1", "2026-11-10", "2026-11-11", 1m).Days);
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(0, -1, 0)]
    [InlineData(0, 0, -1)]
    public void Usage_quantities_and_counts_are_never_negative(long quantity, long allowance, long charges)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Summary(1m, charges, quantity: quantity, allowance: allowance));
    }

    [Fact]
    public void Text_keys_are_required()
    {
        Assert.Throws<ArgumentException>(() => Summary(1m, group: ""));
        Assert.Throws<ArgumentException>(() => Summary(1m, tax: " "));
        Assert.Throws<ArgumentException>(() => new AccountTerms("", Eur, "GB", PaymentType.Postpaid));
        Assert.Throws<ArgumentException>(() => new AccountTerms("ACC1", Eur, "", PaymentType.Postpaid));
        Assert.Throws<ArgumentException>(() => new OneTimeCharge("", "x", 1m, "standard", null, D("2026-11-01")));
        Assert.Throws<ArgumentException>(() => new Adjustment("A1", "x", 1m, "", AdjustmentKind.Manual, null, D("2026-11-01")));
        Assert.Throws<ArgumentException>(() => new OverdraftSummary("", 1m, 1, D("2026-11-01"), D("2026-11-01"), "standard"));
    }

    [Fact]
    public void Overdraft_runs_from_its_first_day_to_its_last()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OverdraftSummary("447700900001", 1m, 1, D("2026-11-02"), D("2026-11-01"), "standard"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OverdraftSummary("447700900001", 1m, -1, D("2026-11-01"), D("2026-11-01"), "standard"));
    }

    [Theory]
    [InlineData(-0.01, 0, 0)]
    [InlineData(0, -1, 0)]
    [InlineData(0, 0, -1)]
    public void Payments_and_usage_counts_of_the_balance_are_never_negative(decimal payments, long held, long unrated)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BalanceInputs(0m, payments, null, held, unrated));
    }

    [Fact]
    public void Negative_payment_terms_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccountTerms("ACC1", Eur, "GB", PaymentType.Postpaid, -1));
    }

    [Fact]
    public void A_request_without_inputs_makes_an_empty_invoice_that_still_reconciles()
    {
        var draft = Calculate(November, balance: new BalanceInputs(12.50m));

        Assert.Empty(draft.Lines);
        Assert.Equal((0.00m, 0.00m, 12.50m, "2026-12-15"), (draft.Subtotal.Amount, draft.Total.Amount, draft.AmountDue.Amount, Iso(draft.DueDate)));
        Assert.Equal(("ACC1", "EUR", "2026-11-01"), (draft.AccountId, draft.Currency.Code, Iso(draft.Cycle.Start)));
    }

    [Fact]
    public void A_late_usage_summary_needs_its_usage()
    {
        Assert.Throws<ArgumentNullException>(() => new LateUsageSummary(null!, November));
        Assert.Equal(ServiceType.Voice, new LateUsageSummary(Summary(1m), November).Usage.Service);
    }

    [Fact]
    public void A_refused_input_says_which_field_and_why()
    {
        Assert.Equal("DestinationGroup is required (Parameter 'DestinationGroup')", Assert.Throws<ArgumentException>(() => Summary(1m, group: "")).Message);
        Assert.StartsWith("Quantity is ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => Summary(1m, quantity: -1)).Message, StringComparison.Ordinal);
        Assert.StartsWith("PaymentsAndCredits is ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => new BalanceInputs(0m, -1m)).Message, StringComparison.Ordinal);
        Assert.StartsWith("To is after 2026-11-10 (periods are half-open [from, to))", Assert.Throws<ArgumentOutOfRangeException>(() => On("P1", "2026-11-10", "2026-11-10")).Message, StringComparison.Ordinal);
        Assert.StartsWith("the last date is on or after the first", Assert.Throws<ArgumentOutOfRangeException>(() => new OverdraftSummary("447700900001", 1m, 1, D("2026-11-02"), D("2026-11-01"), "standard")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_calculation_needs_a_request()
    {
        Assert.Throws<ArgumentNullException>(() => InvoiceCalculator.Calculate(null!));
    }

    [Fact]
    public void The_line_order_puts_a_line_level_with_itself_and_needs_two_lines()
    {
        var line = Calculate(November, usage: [Summary(1m)]).Lines[0];

        Assert.Equal(0, InvoiceLineOrder.Instance.Compare(line, line with { }));
        Assert.Throws<ArgumentNullException>(() => InvoiceLineOrder.Instance.Compare(null, line));
        Assert.Throws<ArgumentNullException>(() => InvoiceLineOrder.Instance.Compare(line, null));
    }
}
