using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class RecurringFeeTests
{
    [Theory]
    [InlineData("2026-03-05", "2026-02-05", 28, 28, 30.00)]   // 28-day cycle, whole
    [InlineData("2026-03-05", "2026-02-19", 28, 14, 15.00)]   // 28-day cycle, half
    [InlineData("2026-03-05", "2026-03-04", 28, 1, 1.07)]     // activation on the last day: 30 × 1 / 28 = 1.0714…
    [InlineData("2028-03-10", "2028-02-10", 29, 29, 30.00)]   // 29-day cycle (leap February), whole
    [InlineData("2028-03-10", "2028-02-24", 29, 15, 15.52)]   // 30 × 15 / 29 = 15.5172…
    [InlineData("2028-03-10", "2028-03-09", 29, 1, 1.03)]     // 30 / 29 = 1.0344…
    [InlineData("2026-12-01", "2026-11-01", 30, 30, 30.00)]   // 30-day cycle, whole
    [InlineData("2026-12-01", "2026-11-21", 30, 10, 10.00)]
    [InlineData("2026-12-01", "2026-11-30", 30, 1, 1.00)]
    [InlineData("2027-01-01", "2026-12-01", 31, 31, 30.00)]   // 31-day cycle, whole
    [InlineData("2027-01-01", "2026-12-22", 31, 10, 9.68)]    // 300 / 31 = 9.677…
    [InlineData("2027-01-01", "2026-12-31", 31, 1, 0.97)]     // 30 / 31 = 0.9677…
    public void An_arrears_fee_is_prorated_by_local_days_of_the_closed_cycle(string cycleEnd, string activated, int cycleDays, long days, decimal amount)
    {
        var cycle = Closing(cycleEnd);

        var draft = Calculate(cycle, subscriptions: [On("P1", activated)], fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))));

        Assert.Equal(cycleDays, cycle.Days);
        var line = Assert.Single(draft.Lines);
        Assert.Equal((InvoiceLineKind.Recurring, days, Iso(cycle.End), amount), (line.Kind, line.Quantity!.Value, Iso(line.PeriodEnd), line.Amount.Amount));
        Assert.Equal(activated, Iso(line.PeriodStart));
    }

    [Fact]
    public void A_subscription_activated_on_the_cycle_end_owes_nothing_in_arrears_for_the_closed_cycle()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2027-01-01")], fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))));

        Assert.Empty(draft.Lines);
    }

    [Fact]
    public void An_advance_fee_activated_mid_cycle_catches_up_its_days_and_bills_the_next_cycle_in_full()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-12-22")], fees: Plans(("P1", Fee(30.00m))));

        Assert.Equal([("recurring", "2026-12-22", "2027-01-01", 9.68m), ("recurring", "2027-01-01", "2027-02-01", 30.00m)], draft.Shape());
        Assert.Equal(["Monthly charge, 22 Dec – 31 Dec 2026 (in arrears)", "Monthly charge, 1 Jan – 31 Jan 2027 (in advance)"], draft.Lines.Select(l => l.Description));
        Assert.Equal([10L, 31L], draft.Lines.Select(l => l.Quantity!.Value));
    }

    [Fact]
    public void An_advance_fee_activated_on_the_last_day_of_the_cycle_bills_that_day_and_the_next_cycle()
    {
        var draft = Calculate(Closing("2026-12-01"), subscriptions: [On("P1", "2026-11-30")], fees: Plans(("P1", Fee(30.00m))));

        Assert.Equal([("recurring", "2026-11-30", "2026-12-01", 1.00m), ("recurring", "2026-12-01", "2027-01-01", 30.00m)], draft.Shape());
    }

    [Fact]
    public void An_advance_fee_already_billed_for_the_closed_cycle_bills_only_the_next_cycle()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 30.00m)]);

        Assert.Equal([("recurring", "2027-01-01", "2027-02-01", 30.00m)], draft.Shape());
        Assert.Equal(["S1"], draft.Lines.Select(l => l.SubscriptionId));
        Assert.Equal(["monthly"], draft.Lines.Select(l => l.FeeId));
    }

    [Fact]
    public void Closing_a_cycle_whose_both_windows_are_already_billed_adds_no_recurring_line()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 30.00m), Billed("P1", "2027-01-01", "2027-02-01", 30.00m)]);

        Assert.Empty(draft.Lines);
    }

    [Fact]
    public void An_arrears_fee_bills_the_closed_cycle_and_never_the_next()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01")], fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))));

        Assert.Equal([("recurring", "2026-12-01", "2027-01-01", 30.00m)], draft.Shape());
        Assert.Equal("Monthly charge, 1 Dec – 31 Dec 2026 (in arrears)", draft.Lines[0].Description);
    }

    [Fact]
    public void A_termination_credits_the_days_billed_in_advance_after_it_and_bills_nothing_ahead()
    {
        // Billed 30.00 for December in advance; terminated on 11 December: 21 days of 31 come back.
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01", "2026-12-11")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 30.00m)]);

        Assert.Equal([("recurring", "2026-12-11", "2027-01-01", -20.32m)], draft.Shape());
        Assert.Equal("Monthly charge, 11 Dec – 31 Dec 2026 (credit)", draft.Lines[0].Description);
        Assert.Equal(21L, draft.Lines[0].Quantity);
    }

    [Fact]
    public void A_termination_before_the_cycle_credits_the_whole_advance_line_exactly()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01", "2026-12-01")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 29.99m)]);

        Assert.Equal([("recurring", "2026-12-01", "2027-01-01", -29.99m)], draft.Shape());
    }

    [Fact]
    public void A_termination_backdated_before_the_window_credits_the_days_earlier_invoices_billed_after_it()
    {
        // Known only at the close of December: terminated on 21 November, when November and December were billed.
        // 10 days of November's 30 (10.00) and the whole of December (30.00) come back.
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01", "2026-11-21")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-11-01", "2026-12-01", 30.00m), Billed("P1", "2026-12-01", "2027-01-01", 30.00m)]);

        Assert.Equal([("recurring", "2026-11-21", "2026-12-01", -10.00m), ("recurring", "2026-12-01", "2027-01-01", -30.00m)], draft.Shape().Order());
        Assert.Contains("Monthly charge, 21 Nov – 30 Nov 2026 (credit)", draft.Lines.Select(l => l.Description));
    }

    [Fact]
    public void A_plan_change_backdated_before_the_window_bills_the_new_plan_for_the_days_it_credits_the_old_one()
    {
        // Known only at the close of December: the number moved from P1 (30.00) to P2 (45.00) on 21 November, when
        // November and December were billed on P1. P1's 10 days of November and its December come back; P2 owes
        // those 10 days (45.00 × 10 / 30 = 15.00), December caught up and January in advance.
        var draft = Calculate(Closing("2027-01-01"),
            subscriptions: [On("P1", "2026-10-01", "2026-11-21"), On("P2", "2026-11-21", subscription: "S2")],
            fees: Plans(("P1", Fee(30.00m)), ("P2", Fee(45.00m, description: "Monthly charge P2"))),
            issued: [Billed("P1", "2026-11-01", "2026-12-01", 30.00m), Billed("P1", "2026-12-01", "2027-01-01", 30.00m)]);

        Assert.Equal(
            [("P1", "2026-11-21", "2026-12-01", -10.00m), ("P1", "2026-12-01", "2027-01-01", -30.00m),
             ("P2", "2026-11-21", "2026-12-01", 15.00m), ("P2", "2026-12-01", "2027-01-01", 45.00m), ("P2", "2027-01-01", "2027-02-01", 45.00m)],
            draft.Lines.Select(l => (l.PlanId!, Iso(l.PeriodStart), Iso(l.PeriodEnd), l.Amount.Amount)).Order());
        Assert.Contains("Monthly charge P2, 21 Nov – 30 Nov 2026 (in arrears)", draft.Lines.Select(l => l.Description));
    }

    [Fact]
    public void Days_a_backdated_plan_change_credits_under_two_fees_of_the_old_plan_are_billed_once_to_the_new_plan()
    {
        var draft = Calculate(Closing("2027-01-01"),
            subscriptions: [On("P1", "2026-10-01", "2026-11-21"), On("P2", "2026-11-21", subscription: "S2")],
            fees: Plans(("P1", Fee(30.00m)), ("P1", Fee(9.00m, id: "tv", tax: "reduced")), ("P2", Fee(45.00m, FeeBilling.Arrears))),
            issued: [Billed("P1", "2026-11-01", "2026-12-01", 30.00m), Billed("P1", "2026-11-01", "2026-12-01", 9.00m, fee: "tv", tax: "reduced")]);

        Assert.Equal(
            [("P1", "2026-11-21", "2026-12-01", -10.00m), ("P1", "2026-11-21", "2026-12-01", -3.00m),
             ("P2", "2026-11-21", "2026-12-01", 15.00m), ("P2", "2026-12-01", "2027-01-01", 45.00m)],
            draft.Lines.Select(l => (l.PlanId!, Iso(l.PeriodStart), Iso(l.PeriodEnd), l.Amount.Amount)).Order());
    }

    [Fact]
    public void Days_before_the_window_credited_by_an_earlier_invoice_are_not_credited_again()
    {
        var draft = Calculate(Closing("2027-02-01"), subscriptions: [On("P1", "2026-10-01", "2026-11-21")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-11-01", "2026-12-01", 30.00m), Billed("P1", "2026-12-01", "2027-01-01", 30.00m),
                     Billed("P1", "2026-11-21", "2026-12-01", -10.00m), Billed("P1", "2026-12-01", "2027-01-01", -30.00m)]);

        Assert.Empty(draft.Lines);
    }

    [Fact]
    public void A_credit_gives_back_the_price_charged_not_todays_price()
    {
        // Charged 25.00 for December under an older price; the plan now costs 30.00. 11 days of 31 of 25.00 = 8.870…
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01", "2026-12-21")], fees: Plans(("P1", Fee(30.00m))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 25.00m, tax: "reduced")]);

        var credit = Assert.Single(draft.Lines);
        Assert.Equal((-8.87m, "reduced"), (credit.Amount.Amount, credit.TaxCategory));
    }

    [Fact]
    public void A_fee_gone_from_the_catalogue_credits_the_days_billed_ahead_under_its_id()
    {
        var draft = Calculate(Closing("2027-01-01"), subscriptions: [On("P1", "2026-10-01")], fees: Plans(),
            issued: [Billed("P1", "2027-01-01", "2027-02-01", 30.00m, fee: "old")]);

        Assert.Equal([("recurring", "2027-01-01", "2027-02-01", -30.00m)], draft.Shape());
        Assert.Equal("old, 1 Jan – 31 Jan 2027 (credit)", draft.Lines[0].Description);
    }

    [Fact]
    public void A_plan_change_mid_cycle_credits_the_old_plan_for_its_lost_days_and_bills_the_new_plan_for_the_rest()
    {
        // December was billed in advance on P1 (30.00); the subscriber moved to P2 (45.00) on 11 December.
        var draft = Calculate(Closing("2027-01-01"),
            subscriptions: [On("P1", "2026-10-01", "2026-12-11"), On("P2", "2026-12-11")],
            fees: Plans(("P1", Fee(30.00m)), ("P2", Fee(45.00m, description: "Monthly charge P2"))),
            issued: [Billed("P1", "2026-12-01", "2027-01-01", 30.00m)]);

        Assert.Equal(
            [("recurring", "2026-12-11", "2027-01-01", -20.32m), ("recurring", "2026-12-11", "2027-01-01", 30.48m), ("recurring", "2027-01-01", "2027-02-01", 45.00m)],
            draft.Shape());
        Assert.Equal(["P1", "P2", "P2"], draft.Lines.Select(l => l.PlanId));
        Assert.Equal(55.16m, draft.Subtotal.Amount);
    }

    [Fact]
    public void A_plan_change_in_arrears_bills_each_plan_for_its_own_days_and_no_day_twice()
    {
        var draft = Calculate(Closing("2026-12-01"),
            subscriptions: [On("P1", "2026-10-01", "2026-11-21"), On("P2", "2026-11-21")],
            fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears)), ("P2", Fee(45.00m, FeeBilling.Arrears))));

        Assert.Equal([("recurring", "2026-11-01", "2026-11-21", 20.00m), ("recurring", "2026-11-21", "2026-12-01", 15.00m)], draft.Shape());
        Assert.Equal(30L, draft.Lines.Sum(l => l.Quantity!.Value));
    }

    [Fact]
    public void A_new_number_on_the_same_subscription_and_plan_splits_the_line_by_number()
    {
        var draft = Calculate(Closing("2026-12-01"),
            subscriptions: [On("P1", "2026-10-01", "2026-11-16"), On("P1", "2026-11-16", msisdn: "447700900099")],
            fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))));

        Assert.Equal([("447700900001", 15.00m), ("447700900099", 15.00m)], draft.Lines.Select(l => (l.Msisdn!, l.Amount.Amount)));
    }

    [Fact]
    public void A_gap_between_two_periods_of_one_plan_is_not_billed()
    {
        var draft = Calculate(Closing("2026-12-01"),
            subscriptions: [On("P1", "2026-10-01", "2026-11-11"), On("P1", "2026-11-21")],
            fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))));

        Assert.Equal([("recurring", "2026-11-01", "2026-11-11", 10.00m), ("recurring", "2026-11-21", "2026-12-01", 10.00m)], draft.Shape());
    }

    [Fact]
    public void Two_fees_of_a_plan_are_prorated_each_with_its_own_tax_category()
    {
        var draft = Calculate(Closing("2026-12-01"), subscriptions: [On("P1", "2026-11-16")],
            fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears)), ("P1", Fee(9.99m, FeeBilling.Arrears, id: "tv", description: "TV", tax: "reduced"))));

        Assert.Equal([("monthly", "standard", 15.00m), ("tv", "reduced", 5.00m)], draft.Lines.Select(l => (l.FeeId!, l.TaxCategory, l.Amount.Amount)));
    }

    [Fact]
    public void A_period_across_a_year_end_reads_with_both_years()
    {
        var draft = Calculate(Closing("2027-01-10"), subscriptions: [On("P1", "2026-12-20")], fees: Plans(("P1", Fee(31.00m, FeeBilling.Arrears))));

        Assert.Equal("Monthly charge, 20 Dec 2026 – 9 Jan 2027 (in arrears)", Assert.Single(draft.Lines).Description);
        Assert.Equal(21.00m, draft.Lines[0].Amount.Amount);
    }
}
