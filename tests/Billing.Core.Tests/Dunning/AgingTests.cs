using Billing.Core.Dunning;
using NodaTime;

namespace Billing.Core.Tests.Dunning;

public sealed class AgingTests
{
    private static readonly LocalDate AsOf = new(2027, 3, 31);

    [Theory]
    [InlineData(-5, AgingBucket.Current)]
    [InlineData(0, AgingBucket.Current)]   // due today: not yet late
    [InlineData(1, AgingBucket.Days1To30)]
    [InlineData(30, AgingBucket.Days1To30)]
    [InlineData(31, AgingBucket.Days31To60)]
    [InlineData(60, AgingBucket.Days31To60)]
    [InlineData(61, AgingBucket.Days61To90)]
    [InlineData(90, AgingBucket.Days61To90)]
    [InlineData(91, AgingBucket.Over90)]
    public void Days_past_due_fall_in_their_bucket_at_its_edges(int days, AgingBucket bucket)
    {
        Assert.Equal(bucket, Aging.BucketOf(days));
    }

    [Fact]
    public void Amounts_are_aged_per_account_and_currency_and_totalled_per_currency()
    {
        var report = Aging.Of(
        [
            new OwedItem("A-1", "GBP", AsOf, 18.00m),                // current
            new OwedItem("A-1", "GBP", AsOf.PlusDays(-31), 36.00m),  // 31–60
            new OwedItem("A-1", "GBP", AsOf.PlusDays(-31), 4.50m),   // 31–60
            new OwedItem("A-2", "GBP", AsOf.PlusDays(-91), 10.00m),  // over 90
            new OwedItem("A-3", "EUR", AsOf.PlusDays(-1), 7.25m),    // 1–30
        ], AsOf);

        Assert.Equal(["A-1 GBP 18.00 0 40.50 0 0", "A-2 GBP 0 0 0 0 10.00", "A-3 EUR 0 7.25 0 0 0"], report.Accounts.Select(Text));
        Assert.Equal([" EUR 0 7.25 0 0 0", " GBP 18.00 0 40.50 0 10.00"], report.Totals.Select(Text));
        Assert.Equal((68.50m, 50.50m), (report.Totals[1].Total, report.Totals[1].Overdue));
    }

    private static string Text(AgingLine l) => $"{l.AccountId} {l.Currency} {string.Join(' ', Aging.Buckets.Select(b => l.Buckets[b]))}";
}
