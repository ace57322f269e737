using System.Globalization;
using System.Text;
using Billing.Catalog.Native;
using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Benchmarks;

/// <summary>
/// A deterministic, realistic catalogue and event stream for benchmarks and load tests: the same
/// output for the same parameters on every machine. The catalogue is written as the files of a
/// native catalogue and read by <see cref="NativeCatalogReader"/>, so the benchmark prices what a
/// loaded catalogue prices and stores it as an ordinary native version.
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

    /// <summary>The version label of the catalogue with <paramref name="prefixCount"/> prefixes.</summary>
    public static string Label(int prefixCount) => $"synthetic-{prefixCount.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A catalogue with <paramref name="prefixCount"/> destination prefixes (at least 3), read from <see cref="Files"/>.</summary>
    public static TariffCatalog Create(int prefixCount = 5000)
    {
        var result = NativeCatalogReader.Load(Files(prefixCount), Label(prefixCount));
        return result.Catalog ?? throw new InvalidOperationException($"the synthetic catalogue does not read: {string.Join("; ", result.Errors.Take(3))}");
    }

    /// <summary>The native catalogue files (name → content) of the catalogue with <paramref name="prefixCount"/> prefixes.</summary>
    public static IReadOnlyDictionary<string, string> Files(int prefixCount = 5000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixCount, 3);
        var destinations = new StringBuilder("group,prefix\nUK_NATIONAL,44\nUK_MOBILE,447\nUK_PERSONAL,4470\n");
        var seen = new HashSet<string>(StringComparer.Ordinal) { "44", "447", "4470" };
        var groups = new HashSet<int>();
        var random = new SplitMix64(0x5EED_CA7A_1065UL);
        while (seen.Count < prefixCount)
        {
            // Country codes 1..999 except 44, extended to 3–7 digits: a shape like real international tables.
            var country = 1 + (int)random.Below(999);
            if (country == 44)
            {
                continue;
            }

            var prefix = country.ToString(CultureInfo.InvariantCulture);
            var extra = (int)random.Below(5);
            for (var i = 0; i < extra; i++)
            {
                prefix += (char)('0' + random.Below(10));
            }

            if (seen.Add(prefix))
            {
                groups.Add(country % InternationalGroups);
                destinations.Append(Group(country % InternationalGroups)).Append(',').Append(prefix).Append('\n');
            }
        }

        var rates = new StringBuilder("rate,from,price,unit,increment,connect_fee,minimum,max_cost,max_cost_strategy,rounding,decimals\n");
        rates.Append("""
            NAT_PEAK,0,0.10,60s,60s,0.05,0.10,,,up,4
            NAT_OFF,0,0.04,60s,60s,0.05,,,,up,4
            NAT_WKND,0,0.02,60s,60s,,,,,up,4
            MOB_PEAK,0,0.15,60s,30s,,,,,middle,4
            MOB_PEAK,30s,0.15,60s,6s
            MOB_OFF,0,0.08,60s,30s,,,,,middle,4
            MOB_OFF,30s,0.08,60s,6s
            PERS,0,0.35,60s,60s,0.25,,5,free,middle,4
            PERS,60s,0.35,60s,1s
            SMS,0,0.05,1sms,1sms,,,,,middle,4
            DATA,0,0.01,1MB,1KB,,,,,up,4

            """);
        var prices = new StringBuilder("plan,service,destination,timing,weight,rate\n");
        void Bands(string group, string peak, string off, string weekend) =>
            prices.Append(CultureInfo.InvariantCulture, $"{PlanId},voice,{group},PEAK,20,{peak}\n{PlanId},voice,{group},WEEKEND,20,{weekend}\n{PlanId},voice,{group},*any,10,{off}\n");

        Bands("UK_NATIONAL", "NAT_PEAK", "NAT_OFF", "NAT_WKND");
        Bands("UK_MOBILE", "MOB_PEAK", "MOB_OFF", "MOB_OFF");
        Bands("UK_PERSONAL", "PERS", "PERS", "PERS");
        for (var g = 0; g < InternationalGroups; g++)
        {
            var perMinute = 0.20m + (g * 0.05m);
            rates.Append(CultureInfo.InvariantCulture, $"{Group(g)}_PEAK,0,{perMinute},60s,1s,0.10,,25,disconnect,middle,4\n");
            rates.Append(CultureInfo.InvariantCulture, $"{Group(g)}_OFF,0,{perMinute * 0.8m},60s,1s,0.10,,25,disconnect,middle,4\n");
            if (groups.Contains(g))
            {
                // A small catalogue lacks some groups; prices.csv may only name groups destinations.csv has.
                Bands(Group(g), $"{Group(g)}_PEAK", $"{Group(g)}_OFF", $"{Group(g)}_OFF");
            }
        }

        prices.Append(CultureInfo.InvariantCulture, $"{PlanId},sms,*any,*any,10,SMS\n{PlanId},data,*any,*any,10,DATA\n");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [NativeCatalogReader.DestinationsFile] = destinations.ToString(),
            [NativeCatalogReader.TimingsFile] = "timing,weekdays,from,to,holidays\nPEAK,mon-fri,08:00,19:00,exclude\nWEEKEND,sat;sun,,,any\n",
            [NativeCatalogReader.HolidaysFile] = "date,name\n2026-12-25,Christmas Day\n2026-12-26,Boxing Day\n",
            [NativeCatalogReader.RatesFile] = rates.ToString(),
            [NativeCatalogReader.PlansFile] = $"plan,name,currency,time_zone\n{PlanId},Synthetic benchmark plan,GBP,Europe/London\n",
            [NativeCatalogReader.PricesFile] = prices.ToString(),
            [NativeCatalogReader.AllowancesFile] = $"plan,allowance,service,amount,destinations\n{PlanId},{NationalAllowance},voice,300min,UK_NATIONAL;UK_MOBILE\n{PlanId},{DataAllowance},data,5GB,\n",
            [NativeCatalogReader.PrepaidFile] = $"plan,thresholds,at_zero\n{PlanId},5.00;1.00;0,bar\n",
        };
    }

    private static string Group(int g) => $"INTL_{g.ToString("00", CultureInfo.InvariantCulture)}";

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
                events[i] = new RatingRequest(ServiceType.Sms, "447" + random.Below(1_000_000_000).ToString("000000000", CultureInfo.InvariantCulture), start, 1);
            }
            else
            {
                events[i] = new RatingRequest(ServiceType.Data, null, start, 1 + (long)random.Below(50UL * 1024 * 1024));
            }
        }

        return events;
    }
}
