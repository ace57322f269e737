using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

/// <summary>A round of rating's latest charge per (subscription, cycle): read once, then moved on by what the round stores.</summary>
public class RatedSoFarTests
{
    private static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];
    private static readonly LocalDate Nov1 = new(2026, 11, 1);
    private static readonly LocalDate Dec1 = new(2026, 12, 1);
    private static readonly (long, LocalDate) November = (7, Nov1);
    private static readonly (long, LocalDate) December = (7, Dec1);
    private static readonly (long, LocalDate) OtherNovember = (8, Nov1);

    private static Instant At(int month, int day, int hour) => Instant.FromUtc(2026, month, day, hour, 0);

    private static UsageInCycle Call(long id, long sub, int month, int day, int hour) =>
        new(new UsageToRate(id, "447700900100", ServiceType.Voice, "442079460001", At(month, day, hour), 60, 0,
            new Subscriber(sub, OnePlanCatalog.Plan, "A-1", London, 1, PaymentType.Postpaid, Currency.Of("GBP"))), month == 12 ? Dec1 : Nov1);

    /// <summary>The charges rating gives these calls (what a round stores).</summary>
    private static IReadOnlyList<RatedUsage> Charges(params UsageInCycle[] calls)
    {
        var rating = CycleSequencer.Rate(calls, new RatingInputs(
            new CatalogTimeline([OnePlanCatalog.Version(1, At(1, 1, 0), 0.60m, 120)]),
            new Dictionary<(long, string, LocalDate), long>(),
            new Dictionary<(long, LocalDate), IReadOnlyList<AllowancePurchase>>(),
            new Dictionary<string, Currency>()));
        Assert.Equal(calls.Length, rating.Charges.Count);
        return rating.Charges;
    }

    [Fact]
    public void A_key_is_read_once_and_then_known_with_its_latest_charge_or_none()
    {
        var soFar = new RatedSoFar();
        Assert.Equal([November, December], soFar.Unknown([November, December]));

        soFar.Learn([November, December], new Dictionary<(long, LocalDate), (Instant, long)> { [November] = (At(11, 2, 10), 5) });

        Assert.Empty(soFar.Unknown([November, December]));
        Assert.Equal([OtherNovember], soFar.Unknown([November, OtherNovember]));
        Assert.Equal(new Dictionary<(long, LocalDate), (Instant, long)> { [November] = (At(11, 2, 10), 5) }, soFar.Of([November, December]));
        var e = Assert.Throws<InvalidOperationException>(() => soFar.Of([OtherNovember]));
        Assert.Equal("subscription 8's cycle from 2026-11-01 was not looked up", e.Message);
    }

    [Fact]
    public void Stored_charges_move_a_key_on_to_the_latest_in_event_order_then_usage_id_and_never_back()
    {
        var soFar = new RatedSoFar();
        soFar.Learn([November, December], new Dictionary<(long, LocalDate), (Instant, long)> { [November] = (At(11, 2, 10), 5) });

        // November: 09:00 is before the stored 10:00, 11:00 after it; December had none.
        soFar.Stored(Charges(Call(3, 7, 11, 2, 9), Call(9, 7, 11, 2, 11), Call(4, 7, 12, 2, 9)));
        Assert.Equal(
            new Dictionary<(long, LocalDate), (Instant, long)> { [November] = (At(11, 2, 11), 9), [December] = (At(12, 2, 9), 4) },
            soFar.Of([November, December]));

        // Earlier events, and one at the same instant with a lower usage id, leave it; the same instant with a higher id moves it.
        soFar.Stored(Charges(Call(2, 7, 11, 1, 8), Call(8, 7, 11, 2, 11)));
        Assert.Equal((At(11, 2, 11), 9L), soFar.Of([November])[November]);
        soFar.Stored(Charges(Call(10, 7, 11, 2, 11)));
        Assert.Equal((At(11, 2, 11), 10L), soFar.Of([November])[November]);
    }

    [Fact]
    public void Missing_arguments_are_refused_by_name()
    {
        var soFar = new RatedSoFar();
        var none = new Dictionary<(long, LocalDate), (Instant, long)>();
        Assert.Equal("keys", Assert.Throws<ArgumentNullException>(() => soFar.Unknown(null!)).ParamName);
        Assert.Equal("asked", Assert.Throws<ArgumentNullException>(() => soFar.Learn(null!, none)).ParamName);
        Assert.Equal("found", Assert.Throws<ArgumentNullException>(() => soFar.Learn([November], null!)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentNullException>(() => soFar.Of(null!)).ParamName);
        Assert.Equal("charges", Assert.Throws<ArgumentNullException>(() => soFar.Stored(null!)).ParamName);
    }

    [Fact]
    public void Charges_alone_never_make_a_key_known_and_past_its_capacity_it_forgets_every_key()
    {
        var soFar = new RatedSoFar();
        soFar.Stored(Charges(Call(1, 8, 11, 2, 9)));
        Assert.Equal([OtherNovember], soFar.Unknown([OtherNovember]));

        var small = new RatedSoFar(capacity: 1);
        small.Learn([November], new Dictionary<(long, LocalDate), (Instant, long)>());
        Assert.Empty(small.Unknown([November]));
        small.Learn([December], new Dictionary<(long, LocalDate), (Instant, long)>());
        Assert.Equal([November, December], small.Unknown([November, December]));
    }
}
