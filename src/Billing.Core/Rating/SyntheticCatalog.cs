using Billing.Core.Catalog;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Rating;

/// <summary>
/// A deterministic, realistic catalogue and event stream for benchmarks and load tests: pure
/// code, no files, the same output for the same parameters on every machine.
/// </summary>
/// <remarks>
/// Plan <see cref="PlanId"/> (GBP, Europe/London): three time bands — PEAK weekdays 08:00–19:00
/// and WEEKEND (weight 20) over OFFPEAK "*any" (weight 10); UK national "44" at 60/60 with a
/// connect fee, UK mobile "447" (overlapping the national group) at 30/6, international groups at
/// 1/1, SMS per event, data per MB in 1 KB increments; allowances of 300 national minutes and 5 GB.
/// Prepaid subscribers on it are told at 5.00 and 1.00 and barred at zero (no credit limit, no expiry).
/// </remarks>
public static class SyntheticCatalog
{
    public const string PlanId = "BENCH";
    public const string NationalAllowance = "NAT-300MIN";
    public const string DataAllowance = "DATA-5GB";
    private const int InternationalGroups = 40;

    /// <summary>A catalogue with <paramref name="prefixCount"/> destination prefixes (at least 3).</summary>
    public static TariffCatalog Create(int prefixCount = 5000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixCount, 3);
        var destinations = new List<(string Prefix, string Group)> { ("44", "UK_NATIONAL"), ("447", "UK_MOBILE"), ("4470", "UK_PERSONAL") };
        var seen = new HashSet<string>(StringComparer.Ordinal) { "44", "447", "4470" };
        var random = new SplitMix64(0x5EED_CA7A_1065UL);
        while (destinations.Count < prefixCount)
        {
            // Country codes 1..999 except 44, extended to 3–7 digits: a shape like real international tables.
            var country = 1 + (int)random.Below(999);
            if (country == 44)
            {
                continue;
            }

            var prefix = country.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var extra = (int)random.Below(5);
            for (var i = 0; i < extra; i++)
            {
                prefix += (char)('0' + random.Below(10));
            }

            if (seen.Add(prefix))
            {
                destinations.Add((prefix, $"INTL_{country % InternationalGroups:00}"));
            }
        }

        var timings = new Dictionary<string, Timing>(StringComparer.Ordinal)
        {
            ["PEAK"] = new()
            {
                Id = "PEAK",
                WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday },
                Holidays = HolidayRule.Exclude,
                Start = new LocalTime(8, 0),
                End = new LocalTime(19, 0),
            },
            ["WEEKEND"] = new()
            {
                Id = "WEEKEND",
                WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday },
            },
        };

        var rates = new Dictionary<string, Rate>(StringComparer.Ordinal);
        void Add(Rate r) => rates[r.Id] = r;
        Add(new Rate { Id = "NAT_PEAK", ConnectFee = 0.05m, Steps = [new RateStep(0, 0.10m, 60, 60)], MinimumCharge = 0.10m, Rounding = RoundingMethod.Up, RoundingDecimals = 4 });
        Add(new Rate { Id = "NAT_OFF", ConnectFee = 0.05m, Steps = [new RateStep(0, 0.04m, 60, 60)], Rounding = RoundingMethod.Up, RoundingDecimals = 4 });
        Add(new Rate { Id = "NAT_WKND", Steps = [new RateStep(0, 0.02m, 60, 60)], Rounding = RoundingMethod.Up, RoundingDecimals = 4 });
        Add(new Rate { Id = "MOB_PEAK", Steps = [new RateStep(0, 0.15m, 60, 30), new RateStep(30, 0.15m, 60, 6)], Rounding = RoundingMethod.Middle, RoundingDecimals = 4 });
        Add(new Rate { Id = "MOB_OFF", Steps = [new RateStep(0, 0.08m, 60, 30), new RateStep(30, 0.08m, 60, 6)], Rounding = RoundingMethod.Middle, RoundingDecimals = 4 });
        Add(new Rate { Id = "PERS", ConnectFee = 0.25m, Steps = [new RateStep(0, 0.35m, 60, 60), new RateStep(60, 0.35m, 60, 1)], MaxCost = 5m, MaxCostStrategy = MaxCostStrategy.Free });
        Add(new Rate { Id = "SMS", Steps = [new RateStep(0, 0.05m, 1, 1)] });
        Add(new Rate { Id = "DATA", Steps = [new RateStep(0, 0.01m, 1_048_576, 1024)], Rounding = RoundingMethod.Up, RoundingDecimals = 4 });
        for (var g = 0; g < InternationalGroups; g++)
        {
            var perMinute = 0.20m + (g * 0.05m);
            Add(new Rate { Id = $"INTL_{g:00}_PEAK", ConnectFee = 0.10m, Steps = [new RateStep(0, perMinute, 60, 1)], MaxCost = 25m, MaxCostStrategy = MaxCostStrategy.Disconnect });
            Add(new Rate { Id = $"INTL_{g:00}_OFF", ConnectFee = 0.10m, Steps = [new RateStep(0, perMinute * 0.8m, 60, 1)], MaxCost = 25m, MaxCostStrategy = MaxCostStrategy.Disconnect });
        }

        var voice = new List<PriceEntry>();
        void Bands(string group, string peak, string off, string weekend)
        {
            voice.Add(new PriceEntry(group, "PEAK", 20, peak));
            voice.Add(new PriceEntry(group, "WEEKEND", 20, weekend));
            voice.Add(new PriceEntry(group, "*any", 10, off));
        }

        Bands("UK_NATIONAL", "NAT_PEAK", "NAT_OFF", "NAT_WKND");
        Bands("UK_MOBILE", "MOB_PEAK", "MOB_OFF", "MOB_OFF");
        Bands("UK_PERSONAL", "PERS", "PERS", "PERS");
        for (var g = 0; g < InternationalGroups; g++)
        {
            Bands($"INTL_{g:00}", $"INTL_{g:00}_PEAK", $"INTL_{g:00}_OFF", $"INTL_{g:00}_OFF");
        }

        var plan = new Plan
        {
            Id = PlanId,
            Name = "Synthetic benchmark plan",
            Currency = "GBP",
            TimeZone = "Europe/London",
            Voice = voice,
            Sms = [new PriceEntry("*any", "*any", 10, "SMS")],
            Data = [new PriceEntry("*any", "*any", 10, "DATA")],
            Allowances =
            [
                new Allowance(NationalAllowance, ServiceType.Voice, 300 * 60, new HashSet<string>(StringComparer.Ordinal) { "UK_NATIONAL", "UK_MOBILE" }),
                new Allowance(DataAllowance, ServiceType.Data, 5L * 1024 * 1024 * 1024),
            ],
            Prepaid = new Billing.Core.Prepaid.PrepaidPolicy([5.00m, 1.00m, 0m]),
        };

        return new TariffCatalog
        {
            Version = $"synthetic-{prefixCount}",
            Destinations = new DestinationTable(destinations),
            Timings = timings,
            Rates = rates,
            Plans = new Dictionary<string, Plan>(StringComparer.Ordinal) { [PlanId] = plan },
            Holidays = new HashSet<LocalDate> { new(2026, 12, 25), new(2026, 12, 26) },
        };
    }

    /// <summary>
    /// <paramref name="count"/> events in time order from 2026-10-01 over about three months
    /// (so across the October DST change and the holidays): 80 % voice (a third to UK numbers,
    /// durations 0 s – 1 h, mostly short), 15 % SMS, 5 % data (1 byte – 50 MB).
    /// </summary>
    public static RatingRequest[] Events(TariffCatalog catalog, int count, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var prefixes = catalog.Destinations.Entries.Select(e => e.Prefix).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var random = new SplitMix64(seed);
        var origin = Instant.FromUtc(2026, 10, 1, 0, 0);
        var span = Duration.FromDays(92).TotalTicks;
        var step = count == 0 ? 0 : (long)span / count;
        var events = new RatingRequest[count];
        var digits = new char[12];
        for (var i = 0; i < count; i++)
        {
            var start = origin + Duration.FromTicks((step * i) + (long)random.Below((ulong)Math.Max(step, 1)));
            var kind = random.Below(100);
            if (kind < 80)
            {
                var prefix = random.Below(3) == 0 ? (random.Below(2) == 0 ? "447" : "44") : prefixes[random.Below((ulong)prefixes.Length)];
                prefix.CopyTo(digits);
                for (var d = prefix.Length; d < digits.Length; d++)
                {
                    digits[d] = (char)('0' + random.Below(10));
                }

                var duration = random.Below(10) switch
                {
                    0 => (long)random.Below(3601),
                    < 3 => (long)random.Below(600),
                    _ => (long)random.Below(180),
                };
                events[i] = new RatingRequest(ServiceType.Voice, new string(digits), start, duration);
            }
            else if (kind < 95)
            {
                events[i] = new RatingRequest(ServiceType.Sms, "447" + random.Below(1_000_000_000).ToString("000000000", System.Globalization.CultureInfo.InvariantCulture), start, 1);
            }
            else
            {
                events[i] = new RatingRequest(ServiceType.Data, null, start, 1 + (long)random.Below(50UL * 1024 * 1024));
            }
        }

        return events;
    }

    /// <summary>SplitMix64: tiny, fast, and the same sequence everywhere (unlike anything we do not own).</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            unchecked
            {
                var z = _state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }

        /// <summary>Uniform enough in [0, bound) for test data (modulo bias is irrelevant here).</summary>
        public ulong Below(ulong bound) => Next() % bound;
    }
}
