using Billing.Core.Notifications;
using Billing.Core.Prepaid;
using NodaTime;

namespace Billing.Core.Tests.Prepaid;

/// <summary>Wallet walks where the order of events at one moment, or a second expiry, decides the money.</summary>
public sealed class WalletWalkScenarioTests
{
    private const string Msisdn = "447700900102";
    private static readonly PrepaidPolicy BarredAtZero = new([0m]);
    private static readonly PrepaidPolicy ThirtyDayCredit = new([0m], ExpiryDays: 30);

    private static readonly PrepaidPolicy TenPoundCreditLimit = new([0m], CreditLimit: 10.00m, ExpiryDays: 30);

    private static readonly Instant Jan1 = Instant.FromUtc(2026, 1, 1, 9, 0);
    private static readonly Instant Jan31 = Instant.FromUtc(2026, 1, 31, 9, 0);
    private static readonly Instant Feb15 = Instant.FromUtc(2026, 2, 15, 10, 0);

    private static Instant At(int hour, int minute = 0) => Instant.FromUtc(2026, 11, 2, hour, minute);

    private static WalletOpening Opening(decimal balance, Instant? watermark = null, Instant? lastTopUp = null, params WalletMovement[] pending) =>
        new("ACC", balance, watermark, lastTopUp, null, null, pending);

    private static WalletCharge Charge(long id, Instant at, decimal amount, PrepaidPolicy? policy = null) =>
        new(id, Msisdn, at, amount, policy ?? BarredAtZero);

    private static WalletCharge Rerate(long id, Instant at, decimal difference, decimal overdrawn = 0m) =>
        new(id, Msisdn, at, difference, BarredAtZero, Rerate: true, Overdrawn: overdrawn);

    [Fact]
    public void Of_two_1_00_calls_at_the_same_moment_with_1_00_left_the_lower_usage_id_is_debited_and_the_other_is_overdraft()
    {
        var r = WalletWalk.Walk(Opening(1.00m), [Charge(7, At(10), 1.00m), Charge(3, At(10), 1.00m)]);

        var debit = Assert.Single(r.Postings);
        Assert.Equal((3L, -1.00m, 0m), (debit.UsageId!.Value, debit.Amount, debit.BalanceAfter));
        var over = Assert.Single(r.Overdraft);
        Assert.Equal((7L, 1.00m, "barred"), (over.UsageId, over.Amount, over.Reason));
    }

    [Fact]
    public void A_10_00_top_up_at_the_same_moment_as_a_1_00_call_pays_for_the_call()
    {
        var topUp = new WalletMovement(At(10), 10.00m, WalletWalk.TopUp);

        var r = WalletWalk.Walk(Opening(10.00m, At(9), null, topUp), [Charge(1, At(10), 1.00m)]);

        var debit = Assert.Single(r.Postings);
        Assert.Equal((WalletWalk.Usage, -1.00m, 9.00m), (debit.Kind, debit.Amount, debit.BalanceAfter));
        Assert.Empty(r.Overdraft);
        Assert.Empty(r.Notices);
        Assert.Equal((9.00m, At(10), (Instant?)null), (r.Balance, r.LastTopUp, r.BarredSince));
    }

    [Fact]
    public void Credit_expires_a_second_time_30_days_after_the_top_up_that_followed_the_first_expiry()
    {
        var jan1 = Instant.FromUtc(2026, 1, 1, 9, 0);
        var topUp = new WalletMovement(Instant.FromUtc(2026, 2, 10, 9, 0), 4.00m, WalletWalk.TopUp);

        // 5.00 left from 1 January (expires 31 January), 4.00 topped up on 10 February (expires 12 March).
        var r = WalletWalk.Walk(
            Opening(9.00m, jan1, jan1, topUp),
            [Charge(1, Instant.FromUtc(2026, 2, 15, 10, 0), 0.40m, ThirtyDayCredit), Charge(2, Instant.FromUtc(2026, 3, 20, 10, 0), 0.40m, ThirtyDayCredit)]);

        Assert.Equal(
            [
                (WalletWalk.Expiry, Instant.FromUtc(2026, 1, 31, 9, 0), -5.00m, 4.00m),
                (WalletWalk.Usage, Instant.FromUtc(2026, 2, 15, 10, 0), -0.40m, 3.60m),
                (WalletWalk.Expiry, Instant.FromUtc(2026, 3, 12, 9, 0), -3.60m, 0m),
            ],
            r.Postings.Select(p => (p.Kind, p.At, p.Amount, p.BalanceAfter)));
        Assert.Equal([(NotificationKinds.Expired, 5.00m), (NotificationKinds.Expired, 3.60m)], r.Notices.Select(n => (n.Kind, n.Amount!.Value)));
        var over = Assert.Single(r.Overdraft);
        Assert.Equal((2L, 0.40m), (over.UsageId, over.Amount));
        Assert.Equal((0m, Instant.FromUtc(2026, 3, 12, 9, 0), Instant.FromUtc(2026, 3, 12, 9, 0)), (r.Balance, r.LastExpiry, r.BarredSince));
    }

    [Fact]
    public void Credit_topped_up_at_09_00_London_time_in_March_expires_30_days_on_at_09_00_London_time_an_hour_sooner_in_UTC_after_the_clocks_go_forward()
    {
        // 20 March 09:00 GMT (09:00 UTC); the clocks go forward on 29 March: 19 April 09:00 BST is 08:00 UTC.
        var topUp = Instant.FromUtc(2026, 3, 20, 9, 0);
        var london = new WalletOpening("ACC", 5.00m, topUp, topUp, null, null, [], DateTimeZoneProviders.Tzdb["Europe/London"]);

        var early = WalletWalk.Walk(london, [Charge(1, Instant.FromUtc(2026, 4, 19, 8, 30), 0.40m, ThirtyDayCredit)]);

        var expiry = early.Postings[0];
        Assert.Equal((WalletWalk.Expiry, Instant.FromUtc(2026, 4, 19, 8, 0), -5.00m), (expiry.Kind, expiry.At, expiry.Amount));
        Assert.Equal(0.40m, Assert.Single(early.Overdraft).Amount);
        // Without a zone (UTC) the days are 24 hours: the same call is paid from the credit.
        var utc = WalletWalk.Walk(london with { Zone = null }, [Charge(1, Instant.FromUtc(2026, 4, 19, 8, 30), 0.40m, ThirtyDayCredit)]);
        Assert.Equal([(WalletWalk.Usage, -0.40m)], utc.Postings.Select(p => (p.Kind, p.Amount)));
    }

    [Fact]
    public void A_re_rate_that_lowers_a_charge_by_0_25_with_no_overdraft_credits_the_wallet_0_25()
    {
        var r = WalletWalk.Walk(Opening(2.00m, At(10)), [Rerate(1, At(10), -0.25m)]);

        var credit = Assert.Single(r.Postings);
        Assert.Equal((WalletWalk.Rerate, 1L, 0.25m, 2.25m), (credit.Kind, credit.UsageId!.Value, credit.Amount, credit.BalanceAfter));
        Assert.Empty(r.Overdraft);
        Assert.Equal(2.25m, r.Balance);
    }

    [Fact]
    public void A_re_rate_that_raises_a_charge_by_0_25_debits_the_wallet_0_25_as_a_rerate()
    {
        var r = WalletWalk.Walk(Opening(2.00m, At(10)), [Rerate(1, At(10), 0.25m)]);

        var debit = Assert.Single(r.Postings);
        Assert.Equal((WalletWalk.Rerate, -0.25m, 1.75m), (debit.Kind, debit.Amount, debit.BalanceAfter));
        Assert.Equal(1.75m, r.Balance);
    }

    [Fact]
    public void A_re_rate_that_lowers_a_charge_by_0_50_of_which_0_70_went_to_overdraft_cancels_0_50_of_overdraft_and_leaves_the_wallet_barred()
    {
        var r = WalletWalk.Walk(Opening(0m, At(10)) with { BarredSince = At(10) }, [Rerate(1, At(11), -0.50m, overdrawn: 0.70m)]);

        Assert.Empty(r.Postings);
        var cancelled = Assert.Single(r.Overdraft);
        Assert.Equal((1L, -0.50m, "rerate"), (cancelled.UsageId, cancelled.Amount, cancelled.Reason));
        Assert.Equal((0m, At(10)), (r.Balance, r.BarredSince));
    }

    [Fact]
    public void A_call_at_the_very_moment_credit_expires_finds_the_credit_gone_and_its_0_40_is_overdraft()
    {
        var r = WalletWalk.Walk(Opening(5.00m, Jan1, Jan1), [Charge(1, Jan31, 0.40m, ThirtyDayCredit)]);

        Assert.Equal((WalletWalk.Expiry, Jan31, -5.00m), (Assert.Single(r.Postings).Kind, r.Postings[0].At, r.Postings[0].Amount));
        Assert.Equal(0.40m, Assert.Single(r.Overdraft).Amount);
    }

    [Fact]
    public void Credit_added_by_an_adjustment_after_an_expiry_does_not_expire_again_at_that_same_moment()
    {
        var afterExpiry = Opening(2.00m, Instant.FromUtc(2026, 2, 1, 9, 0), Jan1) with { LastExpiry = Jan31 };

        var r = WalletWalk.Walk(afterExpiry, [Charge(1, Feb15, 0.40m, ThirtyDayCredit)]);

        Assert.Equal((WalletWalk.Usage, -0.40m, 1.60m), (Assert.Single(r.Postings).Kind, r.Postings[0].Amount, r.Postings[0].BalanceAfter));
        Assert.Equal(Jan31, r.LastExpiry);
    }

    [Fact]
    public void An_empty_wallet_passing_its_expiry_moment_posts_no_expiry_and_tells_nothing_but_is_barred_by_the_call()
    {
        var r = WalletWalk.Walk(Opening(0m, Jan1, Jan1), [Charge(1, Feb15, 0.40m, ThirtyDayCredit)]);

        Assert.Empty(r.Postings);
        Assert.Empty(r.Notices);
        Assert.Equal((0.40m, Jan31, Feb15), (Assert.Single(r.Overdraft).Amount, r.LastExpiry, r.BarredSince));
    }

    [Fact]
    public void With_a_10_00_credit_limit_expiring_5_00_does_not_bar_the_wallet_the_12_00_call_that_reaches_minus_10_00_does()
    {
        var r = WalletWalk.Walk(Opening(5.00m, Jan1, Jan1), [Charge(1, Feb15, 12.00m, TenPoundCreditLimit)]);

        Assert.Equal([(WalletWalk.Expiry, -5.00m), (WalletWalk.Usage, -10.00m)], r.Postings.Select(p => (p.Kind, p.Amount)));
        Assert.Equal((2.00m, "credit-limit"), (Assert.Single(r.Overdraft).Amount, r.Overdraft[0].Reason));
        Assert.Equal((-10.00m, Feb15), (r.Balance, r.BarredSince));
    }

    [Fact]
    public void A_1_00_adjustment_after_the_last_top_up_does_not_extend_the_credit_and_6_00_expires_30_days_after_the_top_up()
    {
        var adjustment = new WalletMovement(Instant.FromUtc(2026, 1, 20, 9, 0), 1.00m, "adjustment");

        var r = WalletWalk.Walk(Opening(6.00m, Instant.FromUtc(2026, 1, 10, 9, 0), Jan1, adjustment), [Charge(1, Feb15, 0.40m, ThirtyDayCredit)]);

        Assert.Equal((WalletWalk.Expiry, Jan31, -6.00m), (Assert.Single(r.Postings).Kind, r.Postings[0].At, r.Postings[0].Amount));
        Assert.Equal(Jan1, r.LastTopUp);
    }

    [Fact]
    public void A_barred_wallet_topped_up_with_1_00_is_barred_again_from_the_call_that_spends_it()
    {
        var topUp = new WalletMovement(At(11), 1.00m, WalletWalk.TopUp);
        var barred = Opening(1.00m, At(9), null, topUp) with { BarredSince = At(9) };

        var r = WalletWalk.Walk(barred, [Charge(1, At(12), 1.00m)]);

        Assert.Equal((-1.00m, 0m, At(12)), (Assert.Single(r.Postings).Amount, r.Balance, r.BarredSince));
    }

    [Fact]
    public void A_0_25_re_rate_refund_to_a_barred_empty_wallet_pays_for_a_0_25_call_after_it_which_bars_it_again()
    {
        var barred = Opening(0m, At(10)) with { BarredSince = At(9) };

        var r = WalletWalk.Walk(barred, [Rerate(1, At(10, 30), -0.25m), Charge(2, At(11), 0.25m)]);

        Assert.Equal([(WalletWalk.Rerate, 0.25m, 0.25m), (WalletWalk.Usage, -0.25m, 0m)], r.Postings.Select(p => (p.Kind, p.Amount, p.BalanceAfter)));
        Assert.Empty(r.Overdraft);
        Assert.Equal(At(11), r.BarredSince);
    }

    [Fact]
    public void A_barred_wallet_with_a_10_00_top_up_posted_after_its_last_call_is_no_longer_barred()
    {
        var topUp = new WalletMovement(At(12), 10.00m, WalletWalk.TopUp);
        var barred = Opening(10.00m, At(9), null, topUp) with { BarredSince = At(9) };

        var r = WalletWalk.Walk(barred, [Charge(1, At(10), 0.50m)]);

        Assert.Equal(0.50m, Assert.Single(r.Overdraft).Amount);
        Assert.Equal((10.00m, (Instant?)null), (r.Balance, r.BarredSince));
    }

    [Fact]
    public void A_notice_is_keyed_by_the_charges_own_key_when_it_has_one()
    {
        var charge = Charge(1, At(10), 1.00m) with { Key = "usage:1:v2" };

        var r = WalletWalk.Walk(Opening(1.00m), [charge]);

        Assert.Equal((NotificationKinds.Exhausted, "usage:1:v2"), (Assert.Single(r.Notices).Kind, r.Notices[0].Key));
    }

    [Fact]
    public void Two_expiries_are_told_under_keys_naming_the_account_and_their_moment()
    {
        var topUp = new WalletMovement(Instant.FromUtc(2026, 2, 10, 9, 0), 3.00m, WalletWalk.TopUp);

        var r = WalletWalk.Walk(Opening(8.00m, Jan1, Jan1, topUp), [], until: Instant.FromUtc(2026, 3, 20, 0, 0), policy: ThirtyDayCredit);

        Assert.Equal(
            [$"expiry:ACC:{Jan31.ToUnixTimeTicks()}", $"expiry:ACC:{Instant.FromUtc(2026, 3, 12, 9, 0).ToUnixTimeTicks()}"],
            r.Notices.Select(n => n.Key));
    }

    [Fact]
    public void An_expiry_run_on_20_March_forfeits_the_January_credit_on_31_January_and_the_10_February_top_up_on_12_March()
    {
        var topUp = new WalletMovement(Instant.FromUtc(2026, 2, 10, 9, 0), 3.00m, WalletWalk.TopUp);
        var march12 = Instant.FromUtc(2026, 3, 12, 9, 0);

        var r = WalletWalk.Walk(Opening(8.00m, Jan1, Jan1, topUp), [], until: Instant.FromUtc(2026, 3, 20, 0, 0), policy: ThirtyDayCredit);

        Assert.Equal([(Jan31, -5.00m, 3.00m), (march12, -3.00m, 0m)], r.Postings.Select(p => (p.At, p.Amount, p.BalanceAfter)));
        Assert.Equal((0m, march12, march12, Instant.FromUtc(2026, 2, 10, 9, 0)), (r.Balance, r.Watermark, r.LastExpiry, r.LastTopUp));
    }

    [Fact]
    public void An_expiry_run_forfeits_8_00_of_a_wallet_never_used_and_sets_its_watermark_to_the_expiry()
    {
        var r = WalletWalk.Walk(Opening(8.00m, null, Jan1), [], until: Feb15, policy: ThirtyDayCredit);

        Assert.Equal((WalletWalk.Expiry, Jan31, -8.00m), (Assert.Single(r.Postings).Kind, r.Postings[0].At, r.Postings[0].Amount));
        Assert.Equal((0m, Jan31), (r.Balance, r.Watermark));
    }

    [Fact]
    public void Without_a_policy_given_an_expiry_run_uses_the_last_charges_policy_and_forfeits_4_60()
    {
        var r = WalletWalk.Walk(Opening(5.00m, Jan1, Jan1), [Charge(1, Instant.FromUtc(2026, 1, 10, 9, 0), 0.40m, ThirtyDayCredit)], until: Feb15);

        Assert.Equal([(WalletWalk.Usage, -0.40m), (WalletWalk.Expiry, -4.60m)], r.Postings.Select(p => (p.Kind, p.Amount)));
        Assert.Equal(Jan31, r.Watermark);
    }

    [Fact]
    public void Without_a_policy_or_charges_an_expiry_run_keeps_credit_that_never_expires()
    {
        var r = WalletWalk.Walk(Opening(5.00m, Jan1, Jan1), [], until: Instant.FromUtc(2027, 1, 1, 0, 0));

        Assert.Empty(r.Postings);
        Assert.Equal(5.00m, r.Balance);
    }

    [Fact]
    public void Walking_without_an_opening_or_charges_and_crossing_without_a_policy_are_bugs_refused_by_name()
    {
        Assert.Equal("opening", Assert.Throws<ArgumentNullException>(() => WalletWalk.Walk(null!, [])).ParamName);
        Assert.Equal("charges", Assert.Throws<ArgumentNullException>(() => WalletWalk.Walk(Opening(1.00m), null!)).ParamName);
        Assert.Equal("policy", Assert.Throws<ArgumentNullException>(() => WalletWalk.Crossed(1.00m, 0m, null!)).ParamName);
    }
}
