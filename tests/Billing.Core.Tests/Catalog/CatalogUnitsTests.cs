using Billing.Catalog;
using Billing.Catalog.Cgrates;
using Billing.Core.Usage;

namespace Billing.Core.Tests.Catalog;

public class CatalogUnitsTests
{
    [Theory]
    [InlineData(ServiceType.Voice, "60", 60L)]
    [InlineData(ServiceType.Voice, "60s", 60L)]
    [InlineData(ServiceType.Voice, "1m", 60L)]
    [InlineData(ServiceType.Voice, "300min", 18000L)]
    [InlineData(ServiceType.Voice, "18000s", 18000L)]
    [InlineData(ServiceType.Voice, "1h", 3600L)]
    [InlineData(ServiceType.Voice, "1m35s", 95L)]
    [InlineData(ServiceType.Voice, "95s", 95L)]
    [InlineData(ServiceType.Voice, "95", 95L)]
    [InlineData(ServiceType.Voice, "1h2m3s", 3723L)]
    [InlineData(ServiceType.Voice, "2h30m", 9000L)]
    [InlineData(ServiceType.Voice, "1min 30s", 90L)]
    [InlineData(ServiceType.Voice, "1H0M1S", 3601L)]
    [InlineData(ServiceType.Voice, "0", 0L)]
    [InlineData(ServiceType.Sms, "100sms", 100L)]
    [InlineData(ServiceType.Sms, "1", 1L)]
    [InlineData(ServiceType.Data, "1KB", 1024L)]
    [InlineData(ServiceType.Data, "1kb", 1024L)]
    [InlineData(ServiceType.Data, "500MB", 524288000L)]
    [InlineData(ServiceType.Data, "5GB", 5368709120L)]
    [InlineData(ServiceType.Data, "1GiB", 1073741824L)]
    [InlineData(ServiceType.Data, "1B", 1L)]
    public void TryParseQuantity_ReadsTheServiceUnit(ServiceType service, string text, long expected)
    {
        Assert.True(CatalogUnits.TryParseQuantity(service, text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData(ServiceType.Voice, "")]
    [InlineData(ServiceType.Voice, "s")]
    [InlineData(ServiceType.Voice, "-5s")]
    [InlineData(ServiceType.Voice, "1.5m")]
    [InlineData(ServiceType.Voice, "5GB")]
    [InlineData(ServiceType.Voice, "10 parsecs")]
    [InlineData(ServiceType.Data, "1m")]
    [InlineData(ServiceType.Data, "1PB")]
    [InlineData(ServiceType.Sms, "60s")]
    [InlineData(ServiceType.Data, "99999999999999999999GB")]
    [InlineData(ServiceType.Voice, "35s1m")]
    [InlineData(ServiceType.Voice, "1m1m")]
    [InlineData(ServiceType.Voice, "1m30")]
    [InlineData(ServiceType.Voice, "1h5GB")]
    [InlineData(ServiceType.Data, "1KB1B")]
    [InlineData(ServiceType.Voice, "9223372036854775807s1s")]
    public void TryParseQuantity_RefusesBadUnits(ServiceType service, string text)
    {
        Assert.False(CatalogUnits.TryParseQuantity(service, text, out _));
    }

    [Theory]
    [InlineData("60s", 60L)]
    [InlineData("1m", 60L)]
    [InlineData("0s", 0L)]
    [InlineData("1h30m", 5400L)]
    [InlineData("1.5m", 90L)]
    [InlineData("1", 1L)]
    public void GoDuration_ReadsCgratesDurations(string text, long expected)
    {
        Assert.True(GoDuration.TryParseWholeUnits(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("1d")]
    [InlineData("")]
    [InlineData("m")]
    public void GoDuration_RefusesWhatIsNotWholeSeconds(string text)
    {
        Assert.False(GoDuration.TryParseWholeUnits(text, out _));
    }
}
