using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

public class UsageToRateTests
{
    private static readonly Subscriber London = new(7, "uk_prepaid", "A-1", DateTimeZoneProviders.Tzdb["Europe/London"], 5, PaymentType.Prepaid, Currency.Of("GBP"));

    [Theory]
    [InlineData(ServiceType.Voice, 95L)]
    [InlineData(ServiceType.Sms, 1L)]
    [InlineData(ServiceType.Data, 1_500_000L)]
    public void A_call_is_priced_by_its_seconds_a_message_as_one_and_data_by_its_bytes(ServiceType service, long quantity)
    {
        var usage = new UsageToRate(1, "447700900100", service, "442079460001", Instant.FromUtc(2026, 11, 2, 9, 0), 95, 1_500_000, London);

        Assert.Equal(quantity, usage.Quantity);
        Assert.Equal(new RatingRequest(service, "442079460001", Instant.FromUtc(2026, 11, 2, 9, 0), quantity), usage.Request);
    }

    [Theory]
    [InlineData(2026, 11, 4, 23, 59, 2026, 10, 5)]   // 4 Nov 23:59 UTC is still 4 Nov in London: October's cycle
    [InlineData(2026, 11, 5, 0, 0, 2026, 11, 5)]
    public void A_subscribers_cycle_starts_on_the_accounts_cycle_day_in_its_zone(int y, int mo, int d, int h, int mi, int cy, int cm, int cd) =>
        Assert.Equal(new LocalDate(cy, cm, cd), London.CycleAt(Instant.FromUtc(y, mo, d, h, mi)));

    [Fact]
    public void A_subscriber_refuses_a_bill_cycle_day_after_the_28th() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subscriber(7, "uk_prepaid", "A-1", DateTimeZone.Utc, 29, PaymentType.Postpaid, Currency.Of("GBP")));
}
