using Billing.Core.Dunning;
using NodaTime;
using static Billing.Core.Tests.Dunning.LadderSimulation;

namespace Billing.Core.Tests.Dunning;

/// <summary>
/// The ladder over 90 simulated days (explicit dates, no clock) on the shipped policy, for an invoice of
/// 36.00 GBP due on 2026-12-15: reminder 22 Dec, second reminder and 5.00 fee 29 Dec, letter 5 Jan,
/// suspension 14 Jan, agency 13 Feb.
/// </summary>
public sealed class DunningCalculatorTests
{
    private static readonly LocalDate Due = new(2026, 12, 15);
    private static readonly LocalDate Last = Due.PlusDays(90);

    private static LadderSimulation Unpaid(decimal total = 36.00m)
    {
        var sim = new LadderSimulation(Shipped());
        sim.Invoice(1, "INV-1", Due, total);
        return sim;
    }

    private static (LocalDate, string, string, StepOutcome, decimal) Taken(int days, string step, decimal fee = 0m) => (Due.PlusDays(days), "INV-1", step, StepOutcome.Take, fee);

    [Fact]
    public void An_unpaid_invoice_takes_each_step_on_its_own_day_and_once_over_90_days()
    {
        var sim = Unpaid();

        sim.Run(Due, Last);

        Assert.Equal(
        [
            Taken(7, "reminder"), Taken(14, "second-reminder"), Taken(14, "late-fee", 5.00m), Taken(21, "final-notice"), Taken(30, "suspend"), Taken(60, "agency"),
        ], sim.Log);
        Assert.Equal([(Due.PlusDays(30), "suspended")], sim.Events);
    }

    [Fact]
    public void Nothing_happens_on_the_due_date_itself_or_the_six_days_after()
    {
        var sim = Unpaid();

        sim.Run(Due, Due.PlusDays(6));

        Assert.Empty(sim.Log);
    }

    [Theory]
    [InlineData(6, 0)]   // paid before the first reminder: nothing at all
    [InlineData(10, 1)]  // after the reminder
    [InlineData(17, 3)]  // after the second reminder and fee
    [InlineData(25, 4)]  // after the letter
    [InlineData(45, 5)]  // suspended: reactivated on the day it is paid
    [InlineData(75, 6)]  // handed over to the agency, then paid
    public void A_payment_in_full_at_any_stage_stops_the_ladder(int paidOnDay, int stepsBefore)
    {
        var sim = Unpaid();

        sim.Run(Due, Last, day =>
        {
            if (day == Due.PlusDays(paidOnDay))
            {
                sim.Settle("INV-1", 36.00m);
            }
        });

        Assert.Equal(stepsBefore, sim.Log.Count);
        Assert.All(sim.Log, l => Assert.True(l.Day < Due.PlusDays(paidOnDay)));
        Assert.Equal(paidOnDay >= 30 ? [(Due.PlusDays(30), "suspended"), (Due.PlusDays(paidOnDay), "reactivated")] : [], sim.Events);
        Assert.False(sim.Suspended);
    }

    [Fact]
    public void A_credit_note_that_settles_a_suspended_account_counts_as_payment_and_reactivates_it()
    {
        var sim = Unpaid();
        sim.Run(Due, Due.PlusDays(31));
        sim.Settle("INV-1", 30.00m); // a payment of 30.00
        sim.Settle("INV-1", 6.00m);  // and a credit note of 6.00 allocated to the invoice

        var decision = sim.Day(Due.PlusDays(32));

        Assert.True(decision.Reactivate);
        Assert.Equal(0m, decision.Overdue.Amount);
        Assert.Empty(decision.Steps);
    }

    [Fact]
    public void A_partial_payment_of_30_00_keeps_the_account_suspended_at_its_step_and_the_ladder_goes_on_to_the_agency_for_the_6_00_left()
    {
        var sim = Unpaid();
        sim.Run(Due, Due.PlusDays(40));
        sim.Settle("INV-1", 30.00m);

        sim.Run(Due.PlusDays(41), Last);

        Assert.True(sim.Suspended);
        Assert.Equal([(Due.PlusDays(30), "suspended")], sim.Events);
        Assert.Equal(Taken(60, "agency"), sim.Log[^1]);
        Assert.Equal(6.00m, sim.Day(Last).Overdue.Amount);
    }

    [Fact]
    public void A_partial_payment_leaving_4_00_below_the_5_00_minimum_stops_new_steps_but_does_not_reactivate()
    {
        var sim = Unpaid();
        sim.Run(Due, Due.PlusDays(35));
        sim.Settle("INV-1", 32.00m);

        sim.Run(Due.PlusDays(36), Last);

        Assert.Equal(5, sim.Log.Count); // no agency
        Assert.True(sim.Suspended);
        Assert.Equal(DunningStop.BelowMinimum, sim.Day(Last).Stop);
    }

    [Fact]
    public void An_overdue_amount_of_4_99_is_below_the_5_00_minimum_and_nothing_happens_but_5_00_is_chased()
    {
        var small = Unpaid(4.99m);
        var enough = Unpaid(5.00m);

        small.Run(Due, Last);
        enough.Run(Due, Last);

        Assert.Empty(small.Log);
        Assert.Equal(6, enough.Log.Count);
    }

    [Fact]
    public void A_promise_to_pay_until_the_10th_day_holds_the_ladder_and_when_it_ends_unpaid_the_second_reminder_is_taken_on_day_14()
    {
        var sim = Unpaid();
        sim.PausedUntil = Due.PlusDays(10);

        sim.Run(Due, Due.PlusDays(20));

        // Day 7's reminder fell in the pause: the day after it ended (day 11) the step due then is the
        // reminder itself, taken late, once.
        Assert.Equal([Taken(11, "reminder"), Taken(14, "second-reminder"), Taken(14, "late-fee", 5.00m)], sim.Log);
    }

    [Fact]
    public void A_promise_to_pay_that_ends_on_day_25_unpaid_takes_only_the_letter_and_records_the_reminders_and_the_fee_skipped()
    {
        var sim = Unpaid();
        sim.PausedUntil = Due.PlusDays(25);

        sim.Run(Due, Due.PlusDays(26));

        var day = Due.PlusDays(26);
        Assert.Equal(
        [
            (day, "INV-1", "reminder", StepOutcome.Skip, 0m), (day, "INV-1", "second-reminder", StepOutcome.Skip, 0m),
            (day, "INV-1", "late-fee", StepOutcome.Skip, 0m), (day, "INV-1", "final-notice", StepOutcome.Take, 0m),
        ], sim.Log);
    }

    [Fact]
    public void A_disputed_invoice_is_held_out_of_the_ladder_and_resumes_at_the_step_due_when_released()
    {
        var sim = Unpaid();
        sim.Run(Due, Due.PlusDays(8));
        sim.Hold("INV-1", true);
        sim.Run(Due.PlusDays(9), Due.PlusDays(22));
        sim.Hold("INV-1", false);

        sim.Run(Due.PlusDays(23), Due.PlusDays(23));

        var day = Due.PlusDays(23);
        Assert.Equal(
        [
            Taken(7, "reminder"), (day, "INV-1", "second-reminder", StepOutcome.Skip, 0m), (day, "INV-1", "late-fee", StepOutcome.Skip, 0m),
            (day, "INV-1", "final-notice", StepOutcome.Take, 0m),
        ], sim.Log);
    }

    [Fact]
    public void A_disputed_invoice_does_not_keep_a_suspended_account_suspended_once_the_rest_is_paid()
    {
        var sim = Unpaid();
        sim.Invoice(2, "INV-2", Due, 20.00m);
        sim.Run(Due, Due.PlusDays(31));
        sim.Hold("INV-2", true);
        sim.Settle("INV-1", 36.00m);

        Assert.True(sim.Day(Due.PlusDays(32)).Reactivate);
    }

    [Fact]
    public void A_missed_week_takes_only_the_highest_step_due_and_records_the_ones_passed_as_skipped()
    {
        var sim = Unpaid();
        sim.Run(Due, Due.PlusDays(8));

        sim.Run(Due.PlusDays(22), Due.PlusDays(22)); // the job did not run from day 9 to day 21

        var day = Due.PlusDays(22);
        Assert.Equal(
        [
            Taken(7, "reminder"), (day, "INV-1", "second-reminder", StepOutcome.Skip, 0m), (day, "INV-1", "late-fee", StepOutcome.Skip, 0m),
            (day, "INV-1", "final-notice", StepOutcome.Take, 0m),
        ], sim.Log);
    }

    [Fact]
    public void Two_steps_due_on_the_same_day_are_both_taken_even_after_a_gap()
    {
        var sim = Unpaid();

        sim.Run(Due.PlusDays(16), Due.PlusDays(16));

        var day = Due.PlusDays(16);
        Assert.Equal(
        [
            (day, "INV-1", "reminder", StepOutcome.Skip, 0m), (day, "INV-1", "second-reminder", StepOutcome.Take, 0m), (day, "INV-1", "late-fee", StepOutcome.Take, 5.00m),
        ], sim.Log);
    }

    [Fact]
    public void Running_the_same_day_again_decides_nothing_new()
    {
        var sim = Unpaid();
        sim.Run(Due, Due.PlusDays(14));

        var again = sim.Day(Due.PlusDays(14));

        Assert.Empty(again.Steps);
        Assert.Equal(3, sim.Log.Count);
    }

    [Fact]
    public void Each_invoice_climbs_its_own_ladder_by_its_own_due_date()
    {
        var sim = Unpaid();
        sim.Invoice(2, "INV-2", Due.PlusDays(31), 18.00m);

        sim.Run(Due, Due.PlusDays(38));

        Assert.Equal(
            ["INV-1 reminder", "INV-1 second-reminder", "INV-1 late-fee", "INV-1 final-notice", "INV-1 suspend", "INV-2 reminder"],
            sim.Log.Select(l => $"{l.Invoice} {l.Step}"));
        Assert.Equal(Due.PlusDays(38), sim.Log[^1].Day);
    }

    [Fact]
    public void Unallocated_credit_of_36_00_clears_the_overdue_amount()
    {
        var sim = Unpaid();
        sim.Credit = Gbp(36.00m);

        sim.Run(Due, Last);

        Assert.Empty(sim.Log);
    }

    [Theory]
    [InlineData(100.00, 2.00)]    // 2 % of 100.00
    [InlineData(2600.00, 50.00)]  // 52.00 capped at 50.00
    [InlineData(33.33, 0.67)]     // 0.6666 rounds half away from zero to 0.67
    [InlineData(0.25, 0.01)]      // 0.005 rounds up to 0.01
    public void A_2_percent_fee_capped_at_50_00_is_rounded_to_the_penny(decimal overdue, decimal fee)
    {
        var rule = FeeRule.Percentage(0.02m, 50.00m);

        Assert.Equal(Gbp(fee), rule.On(Gbp(overdue)));
    }

    [Fact]
    public void A_business_account_follows_its_segment_and_others_the_default()
    {
        var policies = new DunningPolicies(
        [
            new DunningPolicy("*", 0.01m, [new DunningStep("reminder", 7, DunningActionKind.Email, "dunning-reminder")]),
            new DunningPolicy("business", 20.00m, [new DunningStep("reminder", 14, DunningActionKind.Email, "dunning-reminder")]),
        ]);
        var business = new LadderSimulation(policies, "business");
        business.Invoice(1, "INV-1", Due, 36.00m);
        var consumer = new LadderSimulation(policies, "consumer");
        consumer.Invoice(1, "INV-1", Due, 36.00m);

        business.Run(Due, Due.PlusDays(20));
        consumer.Run(Due, Due.PlusDays(20));

        Assert.Equal(Due.PlusDays(14), Assert.Single(business.Log).Day);
        Assert.Equal(Due.PlusDays(7), Assert.Single(consumer.Log).Day);
    }

    [Fact]
    public void An_account_of_a_segment_without_a_ladder_and_no_default_is_not_chased()
    {
        var policies = new DunningPolicies([new DunningPolicy("business", 0m, [new DunningStep("reminder", 7, DunningActionKind.Email)])]);
        var sim = new LadderSimulation(policies, "consumer");
        sim.Invoice(1, "INV-1", Due, 36.00m);

        Assert.Equal(DunningStop.NoPolicy, sim.Day(Due.PlusDays(8)).Stop);
    }
}
