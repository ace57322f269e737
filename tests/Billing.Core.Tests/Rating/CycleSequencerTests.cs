using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

/// <summary>Rating's sequencing with plain values: event-time order per cycle, allowances, bundles, holds, catalogue versions.</summary>
public class CycleSequencerTests
{
    private const string Plan = OnePlanCatalog.Plan;
    private const long Sub = 7;
    private static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];
    private static readonly LocalDate Nov1 = new(2026, 11, 1);

    private static readonly IReadOnlyDictionary<(long, string, LocalDate), long> NoneUsed = new Dictionary<(long, string, LocalDate), long>();
    private static readonly IReadOnlyDictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>> NoneBought = new Dictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>>();
    private static readonly IReadOnlyDictionary<string, Currency> NoWallets = new Dictionary<string, Currency>();

    /// <summary>0.60 a minute by the second in any band; 120 s of allowance "MIN" a cycle unless said otherwise.</summary>
    private static CatalogVersion Version(int id, Instant effective, decimal perMinute = 0.60m, long minutes = 120) =>
        OnePlanCatalog.Version(id, effective, perMinute, minutes);

    private static Subscriber Subscriber(PaymentType paymentType = PaymentType.Postpaid, string currency = "GBP") =>
        new(Sub, Plan, "A-1", London, 1, paymentType, Currency.Of(currency));

    private static UsageInCycle Call(long id, int day, int hour, long seconds, Subscriber? subscriber = null) =>
        new(new UsageToRate(id, "447700900100", ServiceType.Voice, "442079460001", Instant.FromUtc(2026, 11, day, hour, 0), seconds, 0, subscriber ?? Subscriber()), Nov1);

    private static CatalogTimeline OneVersion => new([Version(1, Instant.FromUtc(2026, 1, 1, 0, 0))]);

    [Fact]
    public void A_shuffled_batch_is_rated_by_subscription_then_cycle_then_event_time_then_usage_id()
    {
        var random = new Random(20261129);
        long[] ids = [9, 3, 7];
        var subscribers = ids.Select(id => new Subscriber(id, Plan, $"A-{id}", London, 1, PaymentType.Postpaid, Currency.Of("GBP"))).ToArray();
        var calls = new List<UsageInCycle>();
        for (var id = 1L; id <= 600; id++)
        {
            // One subscriber takes most records (a long group); few distinct instants, so many ties fall to the usage id.
            var s = subscribers[random.Next(10) < 6 ? 0 : 1 + random.Next(2)];
            var month = random.Next(11, 13);
            var start = Instant.FromUtc(2026, month, 1 + random.Next(3), random.Next(3), 0);
            calls.Add(new UsageInCycle(new UsageToRate(id, "447700900100", ServiceType.Voice, "442079460001", start, 30, 0, s), new LocalDate(2026, month, 1)));
        }

        var rating = CycleSequencer.Rate([.. calls.OrderBy(_ => random.Next())], new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets));

        Assert.Empty(rating.Holds);
        Assert.Equal(
            calls.OrderBy(c => c.SubscriptionId).ThenBy(c => c.Cycle).ThenBy(c => c.Usage.Start).ThenBy(c => c.Usage.Id).Select(c => c.Usage.Id),
            rating.Charges.Select(c => c.Usage.Id));
        // Each (subscription, cycle) spends its 120 s of allowance on its first four 30 s calls in that order.
        Assert.All(rating.Charges.GroupBy(c => (c.Usage.Subscriber!.SubscriptionId, c.Cycle)), g =>
            Assert.Equal(g.Select((_, k) => k < 4 ? 30L : 0L), g.Select(c => c.Charge.AllowanceUsed)));
    }

    [Fact]
    public void A_batch_in_usage_id_order_is_rated_in_event_time_order_also_where_a_late_record_or_a_tie_breaks_it()
    {
        // As rating reads a range: usage id order, which is event order per number but for a late record, the subscribers
        // interleaved and given out of their id order; subscriber 9 has a record whose start is before its earlier-numbered
        // ones (late), subscriber 3 two records of one instant, and subscriber 5 spans two cycles.
        Subscriber S(long id) => new(id, Plan, $"A-{id}", London, 1, PaymentType.Postpaid, Currency.Of("GBP"));
        UsageInCycle At(long id, Subscriber s, int month, int day, int hour) =>
            new(new UsageToRate(id, "447700900100", ServiceType.Voice, "442079460001", Instant.FromUtc(2026, month, day, hour, 0), 30, 0, s), new LocalDate(2026, month, 1));
        var (s9, s3, s5) = (S(9), S(3), S(5));
        UsageInCycle[] batch =
        [
            At(1, s9, 11, 2, 8), At(2, s3, 11, 2, 9), At(3, s5, 11, 3, 9), At(4, s9, 11, 4, 8), At(5, s3, 11, 5, 7),
            At(6, s5, 12, 1, 9), At(7, s3, 11, 5, 7), At(8, s9, 11, 1, 8), At(9, s5, 11, 20, 9), At(10, s9, 11, 6, 8),
        ];

        var rating = CycleSequencer.Rate(batch, new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets));

        // 3: 2, 5, 7 (5 and 7 tie, by id); 5's November: 3, 9, then its December: 6; 9: 8 (the late one), 1, 4, 10.
        Assert.Equal([2L, 5, 7, 3, 9, 6, 8, 1, 4, 10], rating.Charges.Select(c => c.Usage.Id));
        Assert.Equal([30L, 30, 30, 30, 30, 30, 30, 30, 30, 30], rating.Charges.Select(c => c.Charge.AllowanceUsed));
    }

    [Fact]
    public void The_allowance_goes_to_the_earliest_call_whatever_order_the_batch_arrives_in()
    {
        // 90 s at 10:00 and 90 s at 09:00, 120 s of allowance: the 09:00 call is covered, the 10:00 one has 30 s covered and pays 60 s = 0.60.
        var rating = CycleSequencer.Rate([Call(2, 2, 10, 90), Call(1, 2, 9, 90)], new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets));

        Assert.Equal([(1L, 0.00m, 90L), (2L, 0.60m, 30L)], rating.Charges.Select(c => (c.Usage.Id, c.Charge.Amount, c.Charge.AllowanceUsed)));
        Assert.Equal([new AllowanceBalance(Sub, "MIN", Nov1, 120, 120)], rating.Balances);
        Assert.Empty(rating.Holds);
    }

    [Fact]
    public void Two_subscriptions_and_two_cycles_in_one_batch_each_spend_their_own_allowance_in_event_order()
    {
        // 120 s a cycle each. Sub 7, November: 90 s at 09:00 covered, 90 s at 10:00 has 30 s covered and pays 60 s = 0.60;
        // sub 7, December: 90 s covered; sub 8, November: 90 s covered, then 60 s with 30 s covered pays 30 s = 0.30.
        var other = new Subscriber(8, Plan, "A-2", London, 1, PaymentType.Postpaid, Currency.Of("GBP"));
        var dec1 = new LocalDate(2026, 12, 1);
        UsageInCycle december = new(new UsageToRate(3, "447700900100", ServiceType.Voice, "442079460001", Instant.FromUtc(2026, 12, 2, 9, 0), 90, 0, Subscriber()), dec1);

        var rating = CycleSequencer.Rate(
            [Call(11, 2, 11, 60, other), Call(2, 2, 10, 90), december, Call(10, 2, 9, 90, other), Call(1, 2, 9, 90)],
            new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets));

        Assert.Equal(
            [(1L, 0.00m, 90L), (2L, 0.60m, 30L), (3L, 0.00m, 90L), (10L, 0.00m, 90L), (11L, 0.30m, 30L)],
            rating.Charges.Select(c => (c.Usage.Id, c.Charge.Amount, c.Charge.AllowanceUsed)));
        Assert.Equal(
            [new AllowanceBalance(Sub, "MIN", Nov1, 120, 120), new AllowanceBalance(Sub, "MIN", dec1, 120, 90), new AllowanceBalance(8, "MIN", Nov1, 120, 120)],
            rating.Balances);
    }

    [Fact]
    public void Of_two_calls_starting_in_the_same_instant_the_lower_usage_id_takes_the_allowance_first()
    {
        // 90 s each at 09:00, 120 s of allowance: id 3 is covered, id 5 has 30 s covered and pays 60 s = 0.60.
        var rating = CycleSequencer.Rate([Call(5, 2, 9, 90), Call(3, 2, 9, 90)], new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets));

        Assert.Equal([(3L, 0.00m, 90L), (5L, 0.60m, 30L)], rating.Charges.Select(c => (c.Usage.Id, c.Charge.Amount, c.Charge.AllowanceUsed)));
    }

    [Fact]
    public void A_batch_charges_a_record_as_the_engine_alone_prices_it_but_keeps_no_parts()
    {
        var call = Call(1, 2, 9, 150);
        var alone = OneVersion.Versions[0].Rater.Rate(Plan, call.Usage.Request, new Dictionary<string, long>(StringComparer.Ordinal) { ["MIN"] = 120 }).Charge!;

        var charge = CycleSequencer.Rate([call], new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets)).Charges.Single().Charge;

        // 120 s covered, 30 s at 0.01 = 0.30: the same charge, without the two parts (covered, paid) the engine lists.
        Assert.Equal((0.30m, 120L, 2), (alone.Amount, alone.AllowanceUsed, alone.Parts.Count));
        Assert.Empty(charge.Parts);
        ChargePart[] none = [];
        Assert.Equal(alone with { Parts = none }, charge with { Parts = none });
    }

    [Fact]
    public void Allowance_already_used_in_the_cycle_is_not_given_again()
    {
        var used = new Dictionary<(long, string, LocalDate), long> { [(Sub, "MIN", Nov1)] = 100 };

        var rating = CycleSequencer.Rate([Call(1, 2, 9, 60)], new RatingInputs(OneVersion, used, NoneBought, NoWallets));

        // 20 s covered, 40 s at 0.01 a second.
        Assert.Equal((0.40m, 20L), (rating.Charges[0].Charge.Amount, rating.Charges[0].Charge.AllowanceUsed));
        Assert.Equal([new AllowanceBalance(Sub, "MIN", Nov1, 120, 120)], rating.Balances);
    }

    [Fact]
    public void A_bundle_bought_between_two_calls_covers_only_the_later_one()
    {
        var bought = new Dictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>> { [(Sub, Nov1)] = [new AllowancePurchase(Instant.FromUtc(2026, 11, 3, 0, 0), "MIN", 60)] };
        var none = Version(1, Instant.FromUtc(2026, 1, 1, 0, 0), minutes: 0);

        var rating = CycleSequencer.Rate([Call(1, 2, 9, 60), Call(2, 4, 9, 60)], new RatingInputs(new CatalogTimeline([none]), NoneUsed, bought, NoWallets));

        Assert.Equal([0.60m, 0.00m], rating.Charges.Select(c => c.Charge.Amount));
        Assert.Equal([new AllowanceBalance(Sub, "MIN", Nov1, 60, 60)], rating.Balances);
    }

    /// <summary>
    /// 120 s of allowance until a version from 15 November grants <paramref name="minutesFrom15th"/> s: a 90 s call on the 2nd uses
    /// 90, and a 60 s call on the 20th finds what the new grant leaves of the 90 used — whether the two are rated in one batch
    /// (a late file, a re-rate of the cycle) or one batch each (as they arrived).
    /// </summary>
    [Theory]
    [InlineData(60, "0.60", 0)]   // 60 granted, 90 used: nothing left
    [InlineData(300, "0", 60)]    // 300 granted, 90 used: 210 left
    public void A_call_after_a_version_that_changes_the_allowance_finds_the_new_grant_less_what_the_cycle_used_in_one_batch_or_two(
        long minutesFrom15th, string amount, long allowanceUsed)
    {
        var catalogs = new CatalogTimeline([Version(1, Instant.FromUtc(2026, 1, 1, 0, 0)), Version(2, Instant.FromUtc(2026, 11, 15, 0, 0), minutes: minutesFrom15th)]);
        var early = Call(1, 2, 9, 90);
        var late = Call(2, 20, 9, 60);

        var together = CycleSequencer.Rate([early, late], new RatingInputs(catalogs, NoneUsed, NoneBought, NoWallets));
        var first = CycleSequencer.Rate([early], new RatingInputs(catalogs, NoneUsed, NoneBought, NoWallets));
        var used = first.Balances.ToDictionary(b => (b.SubscriptionId, b.AllowanceId, b.Cycle), b => b.Used);
        var apart = CycleSequencer.Rate([late], new RatingInputs(catalogs, used, NoneBought, NoWallets));

        var expected = (decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), allowanceUsed);
        Assert.Equal(expected, (apart.Charges.Single().Charge.Amount, apart.Charges.Single().Charge.AllowanceUsed));
        Assert.Equal(expected, (together.Charges.Single(c => c.Usage.Id == 2).Charge.Amount, together.Charges.Single(c => c.Usage.Id == 2).Charge.AllowanceUsed));
        Assert.Equal(apart.Balances.Single(), together.Balances.Single());
    }

    [Fact]
    public void Each_call_is_priced_by_the_catalogue_version_in_force_at_its_start()
    {
        var catalogs = new CatalogTimeline([Version(1, Instant.FromUtc(2026, 1, 1, 0, 0), minutes: 0), Version(2, Instant.FromUtc(2026, 11, 3, 0, 0), perMinute: 1.20m, minutes: 0)]);

        var rating = CycleSequencer.Rate([Call(1, 2, 9, 60), Call(2, 4, 9, 60)], new RatingInputs(catalogs, NoneUsed, NoneBought, NoWallets));

        Assert.Equal([(1, 0.60m), (2, 1.20m)], rating.Charges.Select(c => (c.CatalogVersion, c.Charge.Amount)));
    }

    [Fact]
    public void A_call_before_any_catalogue_version_is_held_as_no_catalog_with_the_effective_date_that_would_price_it()
    {
        var rating = CycleSequencer.Rate([Call(1, 2, 9, 60)], new RatingInputs(new CatalogTimeline([Version(1, Instant.FromUtc(2026, 12, 1, 0, 0))]), NoneUsed, NoneBought, NoWallets));

        Assert.Empty(rating.Charges);
        var hold = Assert.Single(rating.Holds);
        Assert.Equal(HoldReasons.NoCatalog, hold.Reason);
        Assert.Equal(
            "no catalogue version is in force at 2026-11-02T09:00:00Z: load the catalogue with --effective 2026-11-02 or earlier " +
            "(a version loaded without --effective takes effect when it is loaded, later than this usage)",
            hold.Detail);
    }

    [Theory]
    [InlineData("EUR", null, "plan P prices in GBP but account A-1's wallet is in EUR")]
    [InlineData("GBP", "EUR", "plan P prices in GBP but account A-1's wallet is in EUR")]
    [InlineData("EUR", "GBP", "plan P prices in GBP but account A-1 is billed in EUR")]
    public void A_prepaid_call_priced_in_another_currency_than_its_wallet_is_held(string account, string? wallet, string detail)
    {
        var wallets = wallet is null ? NoWallets : new Dictionary<string, Currency> { ["A-1"] = Currency.Of(wallet) };

        var rating = CycleSequencer.Rate([Call(1, 2, 9, 60, Subscriber(PaymentType.Prepaid, account))], new RatingInputs(OneVersion, NoneUsed, NoneBought, wallets));

        Assert.Empty(rating.Charges);
        var hold = Assert.Single(rating.Holds);
        Assert.Equal(HoldReasons.WalletCurrency, hold.Reason);
        Assert.StartsWith(detail, hold.Detail, StringComparison.Ordinal);
        Assert.Equal([new AllowanceBalance(Sub, "MIN", Nov1, 120, 0)], rating.Balances); // a held call uses no allowance
    }

    [Fact]
    public void A_postpaid_call_is_priced_in_the_plans_currency_whatever_the_accounts() =>
        Assert.Single(CycleSequencer.Rate([Call(1, 2, 9, 60, Subscriber(PaymentType.Postpaid, "EUR"))], new RatingInputs(OneVersion, NoneUsed, NoneBought, NoWallets)).Charges);

    [Fact]
    public void A_record_with_no_subscriber_is_held_as_unknown_subscriber()
    {
        var nobody = new UsageToRate(1, "447700900100", ServiceType.Voice, "442079460001", Instant.FromUtc(2026, 11, 2, 9, 0), 60, 0, null);

        var (placed, holds) = CycleSequencer.Place([nobody, Call(2, 2, 9, 60).Usage]);

        Assert.Equal([(2L, Nov1)], placed.Select(p => (p.Usage.Id, p.Cycle)));
        Assert.Equal((1L, HoldReasons.UnknownSubscriber), (Assert.Single(holds).UsageId, holds[0].Reason));
    }

    [Theory]
    [InlineData(SuspendedUsage.Rate, new long[] { 1, 2 }, new long[0])]
    [InlineData(SuspendedUsage.Hold, new long[] { 2 }, new long[] { 1 })]
    public void A_suspended_subscribers_record_is_placed_to_be_charged_under_rate_and_held_as_suspended_under_hold(SuspendedUsage mode, long[] placedIds, long[] heldIds)
    {
        var suspended = Call(1, 2, 9, 60).Usage with { SuspendedSince = new LocalDate(2026, 11, 1) };

        var (placed, holds) = CycleSequencer.Place([suspended, Call(2, 2, 9, 60).Usage], mode);

        Assert.Equal(placedIds, placed.Select(p => p.Usage.Id));
        Assert.Equal(heldIds, holds.Select(h => h.UsageId));
        Assert.All(holds, h => Assert.Equal((HoldReasons.Suspended, "+447700900100 suspended by dunning since 2026-11-01 (dunning.suspendedUsage = hold): rated once reactivated"), (h.Reason, h.Detail)));
    }

    [Theory]
    [InlineData(9, 5L, true)]    // earlier than the last rated
    [InlineData(10, 5L, true)]   // the same instant, a lower id
    [InlineData(10, 20L, false)] // the same instant, a higher id
    [InlineData(11, 5L, false)]  // later
    public void A_cycle_is_late_when_a_new_event_comes_before_the_last_rated_one(int hour, long id, bool late)
    {
        var latest = new Dictionary<(long, LocalDate), (Instant, long)> { [(Sub, Nov1)] = (Instant.FromUtc(2026, 11, 2, 10, 0), 10) };

        Assert.Equal(late ? [(Sub, Nov1)] : [], CycleSequencer.LateCycles([Call(id, 2, hour, 60)], latest));
    }

    [Fact]
    public void Of_two_versions_effective_at_the_same_instant_the_later_load_is_in_force()
    {
        var at = Instant.FromUtc(2026, 1, 1, 0, 0);
        var timeline = new CatalogTimeline([Version(5, at), Version(3, at)]);

        Assert.Equal(5, timeline.InForce(at)!.Id);
        Assert.Null(timeline.InForce(at - Duration.FromTicks(1)));
        Assert.Equal(-1, CatalogTimeline.IndexInForce([], at));
    }
}
