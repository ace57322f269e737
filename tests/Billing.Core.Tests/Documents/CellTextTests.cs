using System.Globalization;
using Billing.Core.Documents;
using Billing.Core.Invoicing;
using Billing.Core.Usage;
using Billing.Documents;
using NodaTime;

namespace Billing.Core.Tests.Documents;

/// <summary>The annex's cells written digit by digit, and the charges in table order, equal the plain formatting and LINQ ordering they replace.</summary>
public class CellTextTests
{
    private static string Plain(long q) => q >= 3600 ? $"{q / 3600}:{q / 60 % 60:00}:{q % 60:00}" : $"{q / 60}:{q % 60:00}";

    [Theory]
    [InlineData(0L, "0:00")]
    [InlineData(9L, "0:09")]
    [InlineData(61L, "1:01")]
    [InlineData(3599L, "59:59")]
    [InlineData(3600L, "1:00:00")]
    [InlineData(7_260L, "2:01:00")]
    [InlineData(90_061L, "25:01:01")]
    public void A_call_length_reads_as_minutes_and_seconds_or_hours_minutes_and_seconds(long seconds, string expected) =>
        Assert.Equal(expected, CellText.Duration(seconds));

    [Fact]
    public void Every_call_length_is_written_as_the_plain_formatting_writes_it()
    {
        var lengths = Enumerable.Range(0, 10_000).Select(i => (long)i)
            .Concat([35_999, 36_000, 359_999, 360_000, 123_456_789, long.MaxValue, -1, -59, -60, -3599, -3600, -7_261]);
        Assert.All(lengths, q => Assert.Equal(Plain(q), CellText.Duration(q)));
    }

    [Fact]
    public void Every_local_time_is_written_as_nodatimes_pattern_writes_it()
    {
        var times = Enumerable.Range(0, 5_000).Select(i => new LocalDateTime(2026, 1, 1, 0, 0).PlusSeconds(i * 7_919L))
            .Concat([new LocalDateTime(1, 1, 1, 0, 0), new LocalDateTime(999, 12, 31, 23, 59, 59), new LocalDateTime(9999, 12, 31, 23, 59, 59),
                new LocalDateTime(2026, 11, 3, 10, 15, 7, 999), new LocalDateTime(0, 6, 1, 12, 0), new LocalDateTime(-5, 6, 1, 12, 0)]);
        Assert.All(times, t => Assert.Equal(t.ToString("uuuu-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), CellText.Stamp(t)));
        Assert.Equal("2026-11-03 10:15:07", CellText.Stamp(new LocalDateTime(2026, 11, 3, 10, 15, 7)));
    }

    [Fact]
    public void The_charges_are_ordered_as_grouping_and_sorting_them_step_by_step_orders_them()
    {
        var random = new Random(20261130);
        string?[] msisdns = [null, "48600100200", "48600100300", "486001003"];
        ServiceType?[] services = [null, ServiceType.Voice, ServiceType.Sms, ServiceType.Data];
        string?[] groups = [null, "national", "international", "National"];
        for (var round = 0; round < 500; round++)
        {
            var lines = Enumerable.Range(0, random.Next(0, 25)).Select(i => new DocumentLine(
                (InvoiceLineKind)random.Next(0, 7), $"line {i}", msisdns[random.Next(msisdns.Length)], services[random.Next(services.Length)],
                groups[random.Next(groups.Length)], i, null, new LocalDate(2026, 11, 1), new LocalDate(2026, 12, 1), "standard", i)).ToList();

            var stepByStep = lines.GroupBy(x => x.Msisdn).OrderBy(x => x.Key is null ? 1 : 0).ThenBy(x => x.Key, StringComparer.Ordinal)
                .SelectMany(g => g.OrderBy(x => x.Kind).ThenBy(x => x.Service).ThenBy(x => x.DestinationGroup, StringComparer.Ordinal));

            Assert.Equal(stepByStep.Select(x => x.Description), InvoiceRenderer.ChargeOrder(lines).Select(x => x.Description));
        }
    }
}
