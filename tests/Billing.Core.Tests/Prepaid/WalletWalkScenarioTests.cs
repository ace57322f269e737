using Billing.Core.Prepaid;
using NodaTime;

namespace Billing.Core.Tests.Prepaid;

/// <summary>Wallet walks where the order of events at one moment, or a second expiry, decides the money.</summary>
public sealed class WalletWalkScenarioTests
{
    private const string Msisdn = "447700900102";
    private static readonly PrepaidPolicy BarredAtZero = new([0m]);
    private static readonly PrepaidPolicy ThirtyDayCredit = new([0m], ExpiryDays: 30);

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
        Assert.Equal([(WalletWalk.Expired, 5.00m), (WalletWalk.Expired, 3.60m)], r.Notices.Select(n => (n.Kind, n.Amount!.Value)));
        var over = Assert.Single(r.Overdraft);
        Assert.Equal((2L, 0.40m), (over.UsageId, over.Amount));
        Assert.Equal((0m, Instant.FromUtc(2026, 3, 12, 9, 0), Instant.FromUtc(2026, 3, 12, 9, 0)), (r.Balance, r.LastExpiry, r.BarredSince));
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
}
