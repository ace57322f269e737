using Billing.Core.Accounts;
using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class BalanceAndWarningTests
{
    private static readonly Billing.Core.Cycles.BillCycle November = Closing("2026-12-01");

    /// <summary>30.00 of usage + 6.00 VAT = 36.00.</summary>
    private static InvoiceDraft ThirtySix(BalanceInputs? balance = null, AccountTerms? account = null) =>
        Calculate(November, account, usage: [Summary(30.00m)], balance: balance);

    [Theory]
    [InlineData(0, 0, 36.00)]
    [InlineData(50.00, 80.00, 6.00)]     // previous 50.00 − payments 80.00 + 36.00
    [InlineData(50.00, 100.00, -14.00)]  // overpaid: a credit carried forward
    [InlineData(-14.00, 0, 22.00)]       // a credit carried in
    public void The_amount_due_is_the_previous_balance_less_payments_and_credits_plus_the_total(decimal previous, decimal paid, decimal due)
    {
        var draft = ThirtySix(new BalanceInputs(previous, paid));

        Assert.Equal((36.00m, previous, paid, due), (draft.Total.Amount, draft.PreviousBalance.Amount, draft.PaymentsAndCredits.Amount, draft.AmountDue.Amount));
    }

    [Theory]
    [InlineData(14, "2026-12-15")]
    [InlineData(0, "2026-12-01")]
    [InlineData(30, "2026-12-31")]
    public void The_due_date_is_the_issue_date_plus_the_payment_terms(int days, string due)
    {
        var draft = ThirtySix(account: new AccountTerms("ACC1", Eur, "GB", PaymentType.Postpaid, days));

        Assert.Equal(("2026-12-01", due), (Iso(draft.IssueDate), Iso(draft.DueDate)));
    }

    [Fact]
    public void Payment_terms_default_to_14_days()
    {
        Assert.Equal(14, PostpaidTerms().PaymentTermsDays);
    }

    [Theory]
    [InlineData(24.00, false)]    // +50 % exactly
    [InlineData(23.99, true)]     // +50.06 %
    [InlineData(72.00, false)]    // −50 % exactly
    [InlineData(72.01, true)]
    [InlineData(36.00, false)]
    [InlineData(0, false)]        // no base to compare with
    [InlineData(-10.00, true)]    // from a credit to a charge
    public void A_total_up_or_down_by_more_than_half_of_the_previous_invoice_is_reported(decimal previousTotal, bool warned)
    {
        var draft = ThirtySix(new BalanceInputs(PreviousInvoiceTotal: previousTotal));

        Assert.Equal(warned, draft.Warnings.Any(w => w.Code == InvoiceWarningCode.TotalChangedSharply));
    }

    [Fact]
    public void The_sharp_change_warning_states_both_totals_and_the_change()
    {
        var warning = Assert.Single(ThirtySix(new BalanceInputs(PreviousInvoiceTotal: 23.99m)).Warnings);

        Assert.Equal("total 36.00 EUR against 23.99 on the previous invoice (+50.1 %)", warning.Message);
    }

    [Fact]
    public void A_first_invoice_is_not_compared_with_anything()
    {
        Assert.Empty(ThirtySix().Warnings);
    }

    [Fact]
    public void A_postpaid_account_without_usage_is_reported()
    {
        var draft = Calculate(November, subscriptions: [On("P1", "2026-10-01")], fees: Plans(("P1", Fee(10.00m))), issued: [Billed("P1", "2026-11-01", "2026-12-01", 10.00m)]);

        var warning = Assert.Single(draft.Warnings);
        Assert.Equal((InvoiceWarningCode.NoUsage, "no usage in [2026-11-01, 2026-12-01)"), (warning.Code, warning.Message));
    }

    [Fact]
    public void A_negative_total_is_reported()
    {
        var draft = Calculate(November, usage: [Summary(1.00m)], adjustments: [new Adjustment("A1", "Goodwill", -5.00m, "standard", AdjustmentKind.Manual, null, D("2026-11-20"))]);

        Assert.Equal(-4.80m, draft.Total.Amount);
        var warning = Assert.Single(draft.Warnings);
        Assert.Equal((InvoiceWarningCode.NegativeTotal, "negative total -4.80 EUR"), (warning.Code, warning.Message));
    }

    [Theory]
    [InlineData(0, 0, "")]
    [InlineData(1, 0, "UsageHeld")]
    [InlineData(0, 1, "UsageUnrated")]
    [InlineData(3, 2, "UsageHeld,UsageUnrated")]
    public void Usage_still_held_or_unrated_in_the_period_is_reported(long held, long unrated, string codes)
    {
        var draft = ThirtySix(new BalanceInputs(HeldUsage: held, UnratedUsage: unrated));

        Assert.Equal(codes, string.Join(",", draft.Warnings.Select(w => w.Code)));
    }

    [Fact]
    public void Held_and_unrated_warnings_say_how_many_records()
    {
        var draft = ThirtySix(new BalanceInputs(HeldUsage: 3, UnratedUsage: 2));

        Assert.Equal(["3 usage records of the period are held", "2 usage records of the period are not rated yet"], draft.Warnings.Select(w => w.Message));
    }

    [Fact]
    public void The_fees_in_arrears_of_missed_cycles_are_told_per_cycle_prorated_by_the_days_on_each_plan_and_advance_fees_are_left_out()
    {
        // October (31 days): P1's 31.00 in arrears for 1–10 Oct (10.00), then P2's 62.00 from 11 Oct (42.00); P2's advance fee is caught up, not told.
        // September (30 days): P1's fee in full, 31.00. Told oldest first.
        var plans = Plans(("P1", Fee(31.00m, FeeBilling.Arrears)), ("P2", Fee(62.00m, FeeBilling.Arrears)), ("P2", Fee(9.99m, id: "extra")));
        var warnings = MissedArrears.Warnings(
            [Closing("2026-11-01"), Closing("2026-10-01")],
            [On("P1", "2026-01-01", "2026-10-11"), On("P2", "2026-10-11")],
            plan => plans.TryGetValue(plan, out var fees) ? fees : [],
            Eur);

        Assert.Equal(
            [(InvoiceWarningCode.FeesInArrearsNotBilled, "no invoice bills the fees in arrears of 1 Sep – 30 Sep 2026 (31.00): the run of 2026-10-01 was not made"),
             (InvoiceWarningCode.FeesInArrearsNotBilled, "no invoice bills the fees in arrears of 1 Oct – 31 Oct 2026 (52.00): the run of 2026-11-01 was not made")],
            warnings.Select(w => (w.Code, w.Message)));
    }

    [Fact]
    public void Every_fee_in_arrears_of_every_number_in_a_missed_cycle_is_added_up_and_the_sum_rounded_once()
    {
        // November (30 days): two numbers on P1, whose two fees in arrears are 10.00 and 5.00; the second number from 23 Nov
        // (8 days): 2 × 15.00 would be 30.00, here 15.00 + 15.00 × 8 / 30 (4.00) = 19.00; one fee alone would give 10.00 + 2.67.
        var plans = Plans(("P1", Fee(10.00m, FeeBilling.Arrears)), ("P1", Fee(5.00m, FeeBilling.Arrears, id: "second")));
        var warnings = MissedArrears.Warnings(
            [Closing("2026-12-01")],
            [On("P1", "2026-01-01"), On("P1", "2026-11-23", subscription: "S2", msisdn: "447700900002")],
            plan => plans.TryGetValue(plan, out var fees) ? fees : [],
            Eur);

        Assert.Equal("no invoice bills the fees in arrears of 1 Nov – 30 Nov 2026 (19.00): the run of 2026-12-01 was not made", Assert.Single(warnings).Message);
    }
}
