using Billing.Core.Notifications;
using Billing.Core.Prepaid;
using NodaTime;

namespace Billing.Core.Tests.Prepaid;

public sealed class WalletWalkTests
{
    private static readonly PrepaidPolicy Thresholds = new([5.00m, 1.00m, 0m]);

    private static Instant At(int hour, int minute = 0, int day = 2) => Instant.FromUtc(2026, 11, day, hour, minute);

    private static WalletOpening Opening(decimal balance, Instant? watermark = null, Instant? lastTopUp = null, params WalletMovement[] pending) =>
        new("ACC", balance, watermark, lastTopUp, null, null, pending);

    private static WalletCharge Charge(long id, Instant at, decimal amount, PrepaidPolicy? policy = null) =>
        new(id, "447700900102", at, amount, policy ?? Thresholds);

    [Fact]
    public void A_day_of_mixed_usage_leaves_the_exact_balance_and_one_posting_per_charged_record()
    {
        var charges = new[]
        {
            Charge(3, At(18, 59), 0.285m),     // a peak/off-peak call
            Charge(1, At(8, 15), 0.10m),       // an SMS
            Charge(2, At(12, 0), 0.000000m),   // covered by an allowance: no posting
            Charge(4, At(21, 30), 0.123456m),  // data, six decimals
        };

        var r = WalletWalk.Walk(Opening(10.00m), charges);

        Assert.Equal(9.491544m, r.Balance);
        Assert.Equal([(1L, -0.10m, 9.90m), (3L, -0.285m, 9.615m), (4L, -0.123456m, 9.491544m)], r.Postings.Select(p => (p.UsageId!.Value, p.Amount, p.BalanceAfter)));
        Assert.All(r.Postings, p => Assert.Equal(WalletWalk.Usage, p.Kind));
        Assert.Empty(r.Overdraft);
        Assert.Empty(r.Notices);
        Assert.Equal(At(21, 30), r.Watermark);
        Assert.Null(r.BarredSince);
    }

    [Fact]
    public void Charges_of_one_moment_and_record_are_walked_in_the_order_given_also_in_a_batch_too_big_for_a_simple_sort()
    {
        // Forty movements of record 7 at one moment (a record taken back and charged again, say), amounts 0.01 … 0.40,
        // three later records around them: ties keep the order given, so the running balance after each is the given one's.
        var tied = Enumerable.Range(1, 40).Select(i => Charge(7, At(12), i / 100m)).ToList();
        var charges = new List<WalletCharge> { Charge(9, At(13), 0.50m), Charge(3, At(11), 0.25m) };
        charges.AddRange(tied);
        charges.Add(Charge(8, At(12, 30), 0.05m));

        var r = WalletWalk.Walk(Opening(100.00m), charges);

        Assert.Equal([3L, .. Enumerable.Repeat(7L, 40), 8L, 9L], r.Postings.Select(p => p.UsageId!.Value));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => -i / 100m), r.Postings.Skip(1).Take(40).Select(p => p.Amount));
        Assert.Equal(100.00m - 0.25m - 8.20m - 0.05m - 0.50m, r.Balance);
    }

    [Fact]
    public void A_top_up_between_two_calls_pays_for_the_second_call_only()
    {
        var topUp = new WalletMovement(At(10, 10), 10.00m, WalletWalk.TopUp);

        // The ledger already holds the top-up (balance 0.30 + 10.00); the calls around it are rated after.
        var r = WalletWalk.Walk(Opening(10.30m, At(9, 0), null, topUp), [Charge(1, At(10, 0), 1.00m), Charge(2, At(10, 20), 1.00m)]);

        Assert.Equal([(1L, -0.30m), (2L, -1.00m)], r.Postings.Select(p => (p.UsageId!.Value, p.Amount)));
        var over = Assert.Single(r.Overdraft);
        Assert.Equal((1L, 0.70m, "barred"), (over.UsageId, over.Amount, over.Reason));
        var notice = Assert.Single(r.Notices);
        Assert.Equal((NotificationKinds.Exhausted, At(10, 0), 0m), (notice.Kind, notice.At, notice.Threshold!.Value));
        Assert.Equal(9.00m, r.Balance);
        Assert.Null(r.BarredSince);
        Assert.Equal(At(10, 10), r.LastTopUp);
    }

    [Fact]
    public void A_call_that_exhausts_the_balance_is_debited_up_to_it_and_the_rest_and_later_usage_is_overdraft()
    {
        var r = WalletWalk.Walk(Opening(0.50m), [Charge(1, At(10, 0), 1.20m), Charge(2, At(11, 0), 0.10m), Charge(3, At(12, 0), 0m)]);

        Assert.Equal(-0.50m, Assert.Single(r.Postings).Amount);
        Assert.Equal([(1L, 0.70m), (2L, 0.10m)], r.Overdraft.Select(o => (o.UsageId, o.Amount)));
        Assert.Equal(0m, r.Balance);
        Assert.Equal(At(10, 0), r.BarredSince);
        Assert.Equal([NotificationKinds.Exhausted], r.Notices.Select(n => n.Kind));
    }

    [Fact]
    public void Each_threshold_notifies_once_per_fall_through_it_and_again_only_after_the_balance_rose_above_it()
    {
        // 6.00, calls of 0.50 every minute: 5.00 reached by the 2nd call, 1.00 by the 10th, 0 by the 12th.
        var calls = Enumerable.Range(1, 14).Select(i => Charge(i, At(10, i), 0.50m)).ToList();
        var r = WalletWalk.Walk(Opening(6.00m), calls);

        Assert.Equal([(2L, NotificationKinds.LowBalance, 5.00m), (10L, NotificationKinds.LowBalance, 1.00m), (12L, NotificationKinds.Exhausted, 0m)],
            r.Notices.Select(n => (long.Parse(n.Key.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), n.Kind, n.Threshold!.Value)));
        Assert.Equal(At(10, 12), r.BarredSince);

        // A top-up to 10.00 re-arms every threshold: falling below 5 again tells again.
        var topUp = new WalletMovement(At(12, 0), 10.00m, WalletWalk.TopUp);
        var again = WalletWalk.Walk(Opening(10.00m, At(10, 14), null, topUp) with { BarredSince = At(10, 12) },
            [Charge(20, At(13, 0), 4.00m), Charge(21, At(13, 5), 1.50m)]);
        var notice = Assert.Single(again.Notices);
        Assert.Equal((NotificationKinds.LowBalance, 5.00m, 4.50m), (notice.Kind, notice.Threshold!.Value, notice.Balance));
        Assert.Null(again.BarredSince);
    }

    [Fact]
    public void A_notice_tells_the_balance_at_its_moment_not_one_raised_by_a_later_top_up()
    {
        var later = new WalletMovement(At(12, 0), 10.00m, WalletWalk.TopUp);
        var r = WalletWalk.Walk(Opening(16.00m, At(9, 0), null, later), [Charge(1, At(10, 0), 2.00m)]);

        var notice = Assert.Single(r.Notices);
        Assert.Equal((NotificationKinds.LowBalance, 4.00m), (notice.Kind, notice.Balance));
        Assert.Equal((14.00m, 14.00m), (r.Balance, r.Postings[0].BalanceAfter));
    }

    [Fact]
    public void One_charge_through_two_thresholds_makes_one_notice_for_the_lowest()
    {
        var r = WalletWalk.Walk(Opening(6.00m), [Charge(1, At(10, 0), 5.50m)]);

        var notice = Assert.Single(r.Notices);
        Assert.Equal((NotificationKinds.LowBalance, 1.00m, 0.50m), (notice.Kind, notice.Threshold!.Value, notice.Balance));
    }

    [Fact]
    public void With_a_credit_limit_the_balance_goes_negative_down_to_the_limit_and_beyond_it_is_overdraft()
    {
        var policy = new PrepaidPolicy([5.00m, 0m], CreditLimit: 10.00m);
        var r = WalletWalk.Walk(Opening(2.00m), [Charge(1, At(10, 0), 3.00m, policy), Charge(2, At(11, 0), 20.00m, policy)]);

        Assert.Equal([-3.00m, -9.00m], r.Postings.Select(p => p.Amount));
        Assert.Equal(-10.00m, r.Balance);
        var over = Assert.Single(r.Overdraft);
        Assert.Equal((2L, 11.00m, "credit-limit"), (over.UsageId, over.Amount, over.Reason));
        Assert.Equal([(NotificationKinds.LowBalance, 0m), (NotificationKinds.CreditLimit, -10.00m)], r.Notices.Select(n => (n.Kind, n.Threshold!.Value)));
        Assert.Equal(At(11, 0), r.BarredSince);
    }

    [Fact]
    public void Credit_left_after_the_expiry_days_expires_at_that_moment_before_the_next_charge()
    {
        var policy = new PrepaidPolicy([0m], ExpiryDays: 30);
        var lastTopUp = Instant.FromUtc(2026, 1, 1, 9, 0);
        var r = WalletWalk.Walk(Opening(5.00m, lastTopUp, lastTopUp), [Charge(1, Instant.FromUtc(2026, 2, 15, 10, 0), 0.40m, policy), Charge(2, Instant.FromUtc(2026, 2, 16, 10, 0), 0.40m, policy)]);

        var expiry = Assert.Single(r.Postings);
        Assert.Equal((WalletWalk.Expiry, Instant.FromUtc(2026, 1, 31, 9, 0), -5.00m), (expiry.Kind, expiry.At, expiry.Amount));
        Assert.Equal([0.40m, 0.40m], r.Overdraft.Select(o => o.Amount));
        Assert.Equal([NotificationKinds.Expired], r.Notices.Select(n => n.Kind));
        Assert.Equal(5.00m, r.Notices[0].Amount);
        Assert.Equal(Instant.FromUtc(2026, 1, 31, 9, 0), r.LastExpiry);
        Assert.Equal(Instant.FromUtc(2026, 1, 31, 9, 0), r.BarredSince);
    }

    [Fact]
    public void A_top_up_before_the_expiry_moment_extends_the_credit()
    {
        var policy = new PrepaidPolicy([0m], ExpiryDays: 30);
        var first = Instant.FromUtc(2026, 1, 1, 9, 0);
        var topUp = new WalletMovement(Instant.FromUtc(2026, 1, 20, 9, 0), 5.00m, WalletWalk.TopUp);
        var r = WalletWalk.Walk(Opening(10.00m, first, first, topUp), [Charge(1, Instant.FromUtc(2026, 2, 15, 10, 0), 0.40m, policy)]);

        Assert.Equal([(WalletWalk.Usage, -0.40m)], r.Postings.Select(p => (p.Kind, p.Amount)));
        Assert.Equal(9.60m, r.Balance);
    }

    [Fact]
    public void A_late_charge_is_debited_against_the_balance_as_it_stands()
    {
        var r = WalletWalk.Walk(Opening(3.00m, At(15, 0)), [Charge(9, At(9, 0), 1.00m)]);

        Assert.Equal(2.00m, r.Balance);
        Assert.Equal(At(15, 0), r.Watermark);
    }

    [Fact]
    public void A_re_rate_that_lowers_a_charge_cancels_its_overdraft_first_then_credits_the_wallet()
    {
        var refund = new WalletCharge(1, "447700900102", At(10, 0), -1.00m, Thresholds, Rerate: true, Overdrawn: 0.70m);
        var r = WalletWalk.Walk(Opening(0m, At(10, 0)) with { BarredSince = At(10, 0) }, [refund]);

        Assert.Equal((1L, -0.70m, "rerate"), (r.Overdraft[0].UsageId, r.Overdraft[0].Amount, r.Overdraft[0].Reason));
        var credit = Assert.Single(r.Postings);
        Assert.Equal((WalletWalk.Rerate, 0.30m), (credit.Kind, credit.Amount));
        Assert.Equal(0.30m, r.Balance);
        Assert.Null(r.BarredSince);
    }

    [Theory]
    [InlineData(6.00, 5.00, 5.00)]   // reaching a threshold counts
    [InlineData(5.00, 4.00, null)]   // already at it: no new fall
    [InlineData(1.50, 0.50, 1.00)]
    [InlineData(0.50, 1.50, null)]   // a rise never notifies
    public void Crossed_is_a_fall_from_above_a_threshold_to_at_or_below_it(double before, double after, double? expected)
    {
        Assert.Equal(expected is null ? null : (decimal)expected, WalletWalk.Crossed((decimal)before, (decimal)after, Thresholds));
    }
}

public sealed class WalletExpiryRunTests
{
    [Fact]
    public void The_expiry_run_forfeits_credit_at_its_moment_even_with_a_later_top_up_pending_and_moves_the_watermark_there()
    {
        var policy = new PrepaidPolicy([0m], ExpiryDays: 30);
        var jan1 = Instant.FromUtc(2026, 1, 1, 9, 0);
        var topUp = new WalletMovement(Instant.FromUtc(2026, 2, 10, 9, 0), 3.00m, WalletWalk.TopUp);
        var opening = new WalletOpening("ACC", 8.00m, jan1, jan1, null, null, [topUp]);

        var r = WalletWalk.Walk(opening, [], until: Instant.FromUtc(2026, 2, 15, 0, 0), policy: policy);

        var expiry = Assert.Single(r.Postings);
        Assert.Equal((WalletWalk.Expiry, Instant.FromUtc(2026, 1, 31, 9, 0), -5.00m, 3.00m), (expiry.Kind, expiry.At, expiry.Amount, expiry.BalanceAfter));
        Assert.Equal(3.00m, r.Balance);
        Assert.Equal(Instant.FromUtc(2026, 1, 31, 9, 0), r.Watermark);
        Assert.Equal(Instant.FromUtc(2026, 1, 31, 9, 0), r.LastExpiry);

        // Run again: nothing more expires (the top-up of 10 February lasts until 12 March).
        var again = WalletWalk.Walk(opening with { Balance = r.Balance, Watermark = r.Watermark, LastExpiry = r.LastExpiry }, [], until: Instant.FromUtc(2026, 2, 16, 0, 0), policy: policy);
        Assert.Empty(again.Postings);
    }

    [Fact]
    public void Without_an_expiry_policy_the_run_changes_nothing()
    {
        var jan1 = Instant.FromUtc(2026, 1, 1, 9, 0);
        var r = WalletWalk.Walk(new WalletOpening("ACC", 8.00m, jan1, jan1, null, null, []), [], until: Instant.FromUtc(2027, 1, 1, 0, 0), policy: PrepaidPolicy.Default);

        Assert.Empty(r.Postings);
        Assert.Equal(jan1, r.Watermark);
    }
}
