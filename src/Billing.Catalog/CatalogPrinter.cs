using System.Globalization;
using System.Text;
using Billing.Core.Catalog;
using Billing.Core.Usage;

namespace Billing.Catalog;

/// <summary>The text `billing catalog show` prints: what a catalogue version holds, at a glance.</summary>
public static class CatalogPrinter
{
    public static string Summary(TariffCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var entries = catalog.Destinations.Entries.ToList();
        var groups = entries.GroupBy(e => e.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        text.AppendLine(inv, $"Catalogue {catalog.Version}");
        text.AppendLine(inv, $"Destinations: {groups.Count} groups, {entries.Count} prefixes");
        foreach (var g in groups)
        {
            text.AppendLine(inv, $"  {g.Key,-24} {g.Count(),6} prefixes  (e.g. {string.Join(", ", g.Select(e => e.Prefix).Order(StringComparer.Ordinal).Take(3))})");
        }

        text.AppendLine(inv, $"Timings: {catalog.Timings.Count}");
        foreach (var t in catalog.Timings.Values.OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            text.AppendLine(inv, $"  {t.Id,-24} {Describe(t)}");
        }

        text.AppendLine(inv, $"Holidays: {catalog.Holidays.Count}");
        text.AppendLine(inv, $"Rates: {catalog.Rates.Count}");
        foreach (var r in catalog.Rates.Values.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            var steps = string.Join("; ", r.Steps.Select(s => string.Create(inv, $"from {s.From}: {s.Price}/{s.Unit} per {s.Increment}")));
            text.Append(inv, $"  {r.Id,-24} {steps}");
            if (r.ConnectFee != 0)
            {
                text.Append(inv, $"; connect {r.ConnectFee}");
            }

            if (r.MinimumCharge != 0)
            {
                text.Append(inv, $"; minimum {r.MinimumCharge}");
            }

            if (r.MaxCost != 0)
            {
                text.Append(inv, $"; max {r.MaxCost} ({r.MaxCostStrategy.ToString().ToLowerInvariant()})");
            }

            text.AppendLine(inv, $"; round {r.Rounding.ToString().ToLowerInvariant()} to {r.RoundingDecimals}");
        }

        text.AppendLine(inv, $"Plans: {catalog.Plans.Count}");
        foreach (var p in catalog.Plans.Values.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            text.AppendLine(inv, $"  {p.Id} — {p.Name} ({p.Currency}, {p.TimeZone})");
            text.AppendLine(inv, $"    entries: voice {p.Voice.Count}, sms {p.Sms.Count}, data {p.Data.Count}");
            foreach (var a in p.Allowances)
            {
                var to = a.DestinationGroups is null ? "all destinations" : string.Join(", ", a.DestinationGroups.Order(StringComparer.Ordinal));
                text.AppendLine(inv, $"    allowance {a.Id}: {Quantity(a.Service, a.Amount)} {a.Service.Code()} to {to}");
            }

            foreach (var f in p.RecurringFees)
            {
                text.AppendLine(inv, $"    fee {f.Id}: {f.Amount} {p.Currency} per cycle — {f.Description} [{f.TaxCategory}]");
            }
        }

        if (catalog.RatingProfiles.Count > 0)
        {
            text.AppendLine(inv, $"Rating profiles: {catalog.RatingProfiles.Count}");
            foreach (var r in catalog.RatingProfiles)
            {
                var fallback = r.FallbackSubjects.Count == 0 ? "" : $" (fallback {string.Join(", ", r.FallbackSubjects)})";
                text.AppendLine(inv, $"  {r.Tenant}/{r.Category}/{r.Subject} from {r.ActivationTime}: {r.PlanId}{fallback}");
            }
        }

        return text.ToString();
    }

    private static string Describe(Timing t)
    {
        var parts = new List<string>
        {
            t.WeekDays is null ? "every day" : string.Join(";", t.WeekDays.Order().Select(d => d.ToString()[..3].ToLowerInvariant())),
            string.Create(CultureInfo.InvariantCulture, $"{t.Start:HH:mm:ss}–{(t.End is { } e ? e.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "24:00:00")}"),
        };
        if (t.Months is not null)
        {
            parts.Add("months " + string.Join(";", t.Months.Order()));
        }

        if (t.MonthDays is not null)
        {
            parts.Add("days " + string.Join(";", t.MonthDays.Order()));
        }

        if (t.Years is not null)
        {
            parts.Add("years " + string.Join(";", t.Years.Order()));
        }

        if (t.Holidays != HolidayRule.Any)
        {
            parts.Add("holidays " + t.Holidays.ToString().ToLowerInvariant());
        }

        return string.Join(", ", parts);
    }

    private static string Quantity(ServiceType service, long amount) => service switch
    {
        ServiceType.Voice when amount % 60 == 0 => string.Create(CultureInfo.InvariantCulture, $"{amount / 60} min"),
        ServiceType.Voice => string.Create(CultureInfo.InvariantCulture, $"{amount} s"),
        ServiceType.Data when amount % (1024L * 1024 * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{amount / (1024L * 1024 * 1024)} GB"),
        ServiceType.Data when amount % (1024L * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{amount / (1024L * 1024)} MB"),
        ServiceType.Data => string.Create(CultureInfo.InvariantCulture, $"{amount} B"),
        _ => amount.ToString(CultureInfo.InvariantCulture),
    };
}
