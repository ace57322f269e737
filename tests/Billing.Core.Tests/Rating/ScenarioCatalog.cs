using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

/// <summary>
/// The smallest catalogue a rating scenario needs: one plan <see cref="PlanId"/> in GBP on London time
/// (GMT in November, so local time = UTC), destination group UK for prefix 44.
/// </summary>
internal static class ScenarioCatalog
{
    public const string PlanId = "P";
    public const string UkNumber = "441234567890";

    /// <summary>Monday 2 November 2026, 10:00 local.</summary>
    public static readonly Instant MondayMorning = Instant.FromUtc(2026, 11, 2, 10, 0);

    public static readonly Timing Peak = new()
    {
        Id = "PEAK",
        WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday },
        Start = new LocalTime(8, 0),
        End = new LocalTime(19, 0),
    };

    /// <summary>A price per minute billed per second.</summary>
    public static Rate PerSecond(string id, decimal perMinute, decimal connect = 0m) =>
        new() { Id = id, ConnectFee = connect, Steps = [new RateStep(0, perMinute, 60, 1)] };

    /// <summary>A price per minute billed in whole minutes.</summary>
    public static Rate PerMinute(string id, decimal perMinute, decimal connect = 0m) =>
        new() { Id = id, ConnectFee = connect, Steps = [new RateStep(0, perMinute, 60, 60)] };

    public static TariffCatalog Build(IEnumerable<Rate> rates, IEnumerable<PriceEntry> voice, IEnumerable<Timing>? timings = null, IEnumerable<Allowance>? allowances = null, IEnumerable<(string, string)>? destinations = null) =>
        new()
        {
            Version = "scenario",
            Destinations = new DestinationTable(destinations ?? [("44", "UK")]),
            Timings = (timings ?? []).ToDictionary(t => t.Id),
            Rates = rates.ToDictionary(r => r.Id),
            Plans = new Dictionary<string, Plan>
            {
                [PlanId] = new() { Id = PlanId, Currency = "GBP", TimeZone = "Europe/London", Voice = [.. voice], Allowances = [.. allowances ?? []] },
            },
        };

    /// <summary><paramref name="special"/> under <paramref name="timing"/> (weight 20) over <paramref name="otherwise"/> at any time (weight 10).</summary>
    public static TariffCatalog BandOverAnyTime(Timing timing, Rate special, Rate otherwise, IEnumerable<Allowance>? allowances = null) =>
        Build([special, otherwise], [new PriceEntry("UK", timing.Id, 20, special.Id), new PriceEntry("UK", "*any", 10, otherwise.Id)], [timing], allowances);

    public static RatingOutcome Rate(TariffCatalog catalog, Instant start, long seconds, Dictionary<string, long>? balances = null, string? number = UkNumber) =>
        new Rater(catalog).Rate(PlanId, new RatingRequest(ServiceType.Voice, number, start, seconds), balances);

    public static RatedCharge Rated(TariffCatalog catalog, Instant start, long seconds, Dictionary<string, long>? balances = null, string? number = UkNumber)
    {
        var outcome = Rate(catalog, start, seconds, balances, number);
        Assert.True(outcome.IsRated, $"{outcome.FailureReason}: {outcome.FailureDetail}");
        return outcome.Charge!;
    }
}
