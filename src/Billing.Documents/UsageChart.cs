using Billing.Core.Documents;
using Billing.Core.Usage;
using PdfSharp.Drawing;

namespace Billing.Documents;

/// <summary>Daily spend per service over the period as stacked bars, one per local day: PDFsharp draws the labels; the grid, the bars and the legend's keys are the page's shapes (<see cref="PageShapes"/>).</summary>
internal static class UsageChart
{
    public const double Height = 130;

    public static void Draw(PageFlow f, InvoiceDocument d, DocumentLanguage l, DocumentStyle s)
    {
        var days = NodaTime.Period.DaysBetween(d.PeriodStart, d.PeriodEnd);

        // One pass over the spend: each day's entries in the period (in the order given), each day's positive total
        // (the highest sets the scale, whatever the day), each service's total (the legend).
        var byDay = new List<DailySpend>?[Math.Max(days, 0)];
        var dayTotals = new Dictionary<NodaTime.LocalDate, decimal>();
        var serviceTotals = new Dictionary<ServiceType, decimal>();
        foreach (var v in d.DailySpend)
        {
            if (v.Amount > 0m)
            {
                dayTotals[v.Day] = dayTotals.GetValueOrDefault(v.Day) + v.Amount;
            }

            serviceTotals[v.Service] = serviceTotals.GetValueOrDefault(v.Service) + v.Amount;
            if (NodaTime.Period.DaysBetween(d.PeriodStart, v.Day) is var i && i >= 0 && i < days)
            {
                (byDay[i] ??= new List<DailySpend>(3)).Add(v);
            }
        }

        var highest = 0m;
        foreach (var total in dayTotals.Values)
        {
            highest = Math.Max(highest, total);
        }

        var top = NiceCeiling(highest);
        var plotLeft = PageFlow.Left + 46;
        var plotTop = f.Y + 6;
        var plotWidth = PageFlow.Width - 46 - 4;
        var plotHeight = Height - 44;
        var bottom = plotTop + plotHeight;

        // Four grid lines with the amounts they stand for.
        for (var i = 0; i <= 4; i++)
        {
            var value = top * i / 4;
            var y = bottom - plotHeight * i / 4;
            f.Shapes.Rule(s.RulePen, plotLeft, y, plotLeft + plotWidth);
            f.Text(l.Money(value, d.Currency), s.Small, s.Muted, PageFlow.Left, y - 4, 42, right: true);
        }

        // The bars one service at a time, each day's stacked in service order (voice at the bottom), among the page's
        // shapes (over the grid, under the text): the fill colour changes once per service.
        var slot = plotWidth / Math.Max(days, 1);
        var stacked = new decimal[Math.Max(days, 0)];
        // In PDF space (origin at the page's bottom left) a bar stands on the plot's bottom line; its heights, worked out in
        // decimal from the amounts, are stacked and written in decimal too — only the page's geometry is in doubles.
        var baseline = (decimal)(f.Shapes.PageHeight - bottom);
        var barWidth = (decimal)(slot * 0.7);
        if (top > 0m)
        {
            foreach (var service in new[] { ServiceType.Voice, ServiceType.Sms, ServiceType.Data })
            {
                for (var i = 0; i < days; i++)
                {
                    if (byDay[i] is { } spend)
                    {
                        foreach (var v in spend)
                        {
                            if (v.Service == service && v.Amount > 0m)
                            {
                                var h = Points(v.Amount, top, plotHeight);
                                f.Shapes.FillPdf(s.Services[service], (decimal)(plotLeft + i * slot + slot * 0.15), baseline + stacked[i], barWidth, h);
                                stacked[i] += h;
                            }
                        }
                    }
                }
            }
        }

        for (var i = 0; i < days; i++)
        {
            if (i % 5 == 0 || i == days - 1)
            {
                f.Text(d.PeriodStart.PlusDays(i).Day.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Small, s.Muted, plotLeft + i * slot, bottom + 2, slot, right: false);
            }
        }

        // Legend: each service with its total over the period.
        var lx = plotLeft;
        var ly = bottom + 14;
        foreach (var service in new[] { ServiceType.Voice, ServiceType.Sms, ServiceType.Data })
        {
            var total = serviceTotals.GetValueOrDefault(service);
            f.Shapes.Fill(s.Services[service], lx, ly + 1, 8, 6);
            f.Text($"{l["service." + service.Code()]} {l.Amount(total, d.Currency)}", s.Body, s.TextBrush, lx + 11, ly, 150);
            lx += 160;
        }

        f.Y += Height;
    }

    /// <summary>
    /// The height in points, to a thousandth, of <paramref name="amount"/> on a plot <paramref name="height"/> points high
    /// whose top line is <paramref name="top"/>, worked out in decimal like every amount; a day's bars are stacked in
    /// decimal too and written as they are; only the page's geometry (the plot's place and the bars' width) is in doubles.
    /// No figure shown or summed comes from it.
    /// </summary>
    private static decimal Points(decimal amount, decimal top, double height) =>
        Math.Round(amount / top * (decimal)height, 3, MidpointRounding.AwayFromZero);

    /// <summary>The smallest 1, 2, 2.5 or 5 × 10^k at or above <paramref name="value"/> (the chart's top line).</summary>
    private static decimal NiceCeiling(decimal value)
    {
        if (value <= 0m)
        {
            return 1m;
        }

        var scale = 0.01m;
        while (scale * 10m <= value)
        {
            scale *= 10m;
        }

        foreach (var step in new[] { 1m, 2m, 2.5m, 5m, 10m })
        {
            if (scale * step >= value)
            {
                return scale * step;
            }
        }

        return scale * 10m;
    }
}
