using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Rating;
using NodaTime;

namespace Billing.Core.Tests.Rating;

public class SubscriptionPeriodsTests
{
    private const string Number = "447700900100";

    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 0, 0);
    private static readonly Instant June = Instant.FromUtc(2026, 6, 1, 0, 0);
    private static readonly Instant September = Instant.FromUtc(2026, 9, 1, 0, 0);

    private static readonly Subscriber First = Of(1, "A-1");
    private static readonly Subscriber Moved = Of(2, "A-2");

    // The number on account A-1 over [March, June), then moved to account A-2 from September on (a gap between).
    private static readonly SubscriptionPeriods MovedAfterAGap = new([
        new SubscriptionPeriod(Number, September, null, Moved),
        new SubscriptionPeriod(Number, March, June, First),
    ]);

    private static readonly int[] Shuffled = [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6];

    private static Subscriber Of(long id, string account) =>
        new(id, "uk_postpaid", account, DateTimeZoneProviders.Tzdb["Europe/London"], 1, PaymentType.Postpaid, Currency.Of("GBP"));

    [Fact]
    public void Of_a_number_with_twelve_monthly_subscriptions_each_event_gets_the_one_whose_month_holds_it()
    {
        // Twelve back-to-back periods of one number, [1st of month m, 1st of m + 1), given in a shuffled order.
        var months = Enumerable.Range(1, 12).Select(m => Instant.FromUtc(2026, m, 1, 0, 0)).ToArray();
        var subscribers = months.Select((_, i) => Of(100 + i, $"M-{i + 1}")).ToArray();
        var periods = new SubscriptionPeriods(Shuffled.Select(i =>
            new SubscriptionPeriod(Number, months[i], i == 11 ? Instant.FromUtc(2027, 1, 1, 0, 0) : months[i + 1], subscribers[i])));

        for (var i = 0; i < 12; i++)
        {
            Assert.Same(subscribers[i], periods.At(Number, months[i])?.Subscriber);
            Assert.Same(subscribers[i], periods.At(Number, months[i] + Duration.FromDays(20))?.Subscriber);
        }

        Assert.Null(periods.At(Number, months[0] - Duration.Epsilon));
        Assert.Null(periods.At(Number, Instant.FromUtc(2027, 1, 1, 0, 0)));
    }

    [Fact]
    public void Two_subscriptions_of_one_number_starting_at_the_same_instant_are_refused_naming_the_number_and_the_instant()
    {
        var e = Assert.Throws<ArgumentException>(() => new SubscriptionPeriods([
            new SubscriptionPeriod(Number, March, June, First),
            new SubscriptionPeriod(Number, March, null, Moved),
        ]));

        Assert.StartsWith($"two subscriptions of {Number} start at 2026-03-01T00:00:00Z", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_at_the_instant_a_subscription_starts_is_that_subscriptions() =>
        Assert.Same(First, MovedAfterAGap.At(Number, March)?.Subscriber);

    [Fact]
    public void An_event_one_tick_before_the_first_subscription_starts_has_no_subscriber() =>
        Assert.Null(MovedAfterAGap.At(Number, March - Duration.Epsilon));

    [Fact]
    public void An_event_one_tick_before_a_subscription_ends_is_still_that_subscriptions() =>
        Assert.Same(First, MovedAfterAGap.At(Number, June - Duration.Epsilon)?.Subscriber);

    [Fact]
    public void An_event_at_the_instant_a_subscription_ends_has_no_subscriber_when_none_follows_then() =>
        Assert.Null(MovedAfterAGap.At(Number, June));

    [Fact]
    public void An_event_in_the_gap_between_two_subscriptions_has_no_subscriber() =>
        Assert.Null(MovedAfterAGap.At(Number, Instant.FromUtc(2026, 7, 15, 12, 0)));

    [Fact]
    public void A_number_moved_to_another_account_is_the_new_accounts_from_the_new_subscriptions_start_on()
    {
        Assert.Equal("A-2", MovedAfterAGap.At(Number, September)?.Subscriber.AccountId);
        Assert.Equal("A-2", MovedAfterAGap.At(Number, Instant.FromUtc(2030, 1, 1, 0, 0))?.Subscriber.AccountId);
        Assert.Equal("A-1", MovedAfterAGap.At(Number, Instant.FromUtc(2026, 4, 1, 0, 0))?.Subscriber.AccountId);
    }

    [Fact]
    public void A_plan_change_at_one_instant_gives_the_new_subscription_from_that_instant_and_the_old_one_up_to_it()
    {
        var changed = new SubscriptionPeriods([
            new SubscriptionPeriod(Number, March, June, First),
            new SubscriptionPeriod(Number, June, null, Moved),
        ]);

        Assert.Same(First, changed.At(Number, June - Duration.Epsilon)?.Subscriber);
        Assert.Same(Moved, changed.At(Number, June)?.Subscriber);
    }

    [Fact]
    public void A_number_with_no_subscription_here_has_no_subscriber() =>
        Assert.Null(MovedAfterAGap.At("447700900199", June));

    [Theory]
    [InlineData(null, null, true, true)]                                    // never held
    [InlineData(HoldReasons.UnknownSubscriber, null, true, true)]           // a subscriber now
    [InlineData(HoldReasons.UnknownSubscriber, null, false, false)]         // still none
    [InlineData(HoldReasons.NoTariff, 1, true, true)]                       // held under version 1, version 2 is the latest
    [InlineData(HoldReasons.NoTariff, 2, true, false)]                      // held under the latest: stays held
    [InlineData(HoldReasons.NoCatalog, null, true, true)]                   // held with no version at all
    public void Held_usage_is_rated_again_only_once_its_cause_may_be_gone(string? reason, int? heldUnder, bool subscribed, bool rated) =>
        Assert.Equal(rated, HeldUsage.MayRate(reason, heldUnder, subscribed ? new SubscriptionPeriod(Number, March, null, First) : null, 2, SuspendedUsage.Rate));

    [Theory]
    [InlineData(SuspendedUsage.Hold, true, false)]   // still suspended, still held
    [InlineData(SuspendedUsage.Hold, false, true)]   // reactivated
    [InlineData(SuspendedUsage.Rate, true, true)]    // suspended usage is no longer held
    public void Usage_held_for_a_suspension_is_rated_again_once_it_is_lifted_or_such_usage_is_no_longer_held(SuspendedUsage setting, bool stillSuspended, bool rated)
    {
        var period = new SubscriptionPeriod(Number, March, null, First, stillSuspended ? new LocalDate(2026, 10, 3) : null);

        Assert.Equal(rated, HeldUsage.MayRate(HoldReasons.Suspended, 2, period, 2, setting));
    }

    [Theory]
    [InlineData(2026, 10, 2, 23, 59, null)]          // the UTC day before the suspension
    [InlineData(2026, 10, 3, 0, 0, "2026-10-03")]    // its first instant (UTC day)
    [InlineData(2026, 12, 1, 8, 0, "2026-10-03")]
    public void Suspended_usage_carries_the_day_its_suspension_began_from_that_utc_day_on(int y, int mo, int d, int h, int mi, string? since)
    {
        var period = new SubscriptionPeriod(Number, March, null, First, new LocalDate(2026, 10, 3));
        var at = Instant.FromUtc(y, mo, d, h, mi);

        Assert.Equal(since, HeldUsage.SuspendedSince(period, at, SuspendedUsage.Hold)?.ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(HeldUsage.SuspendedSince(period, at, SuspendedUsage.Rate));
    }
}
