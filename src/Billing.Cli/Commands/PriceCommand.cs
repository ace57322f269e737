using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Catalog;
using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Billing.Mediation;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>
/// billing price: prices one event from a catalogue folder with no database and explains it —
/// customer care's "why did this call cost that?".
/// </summary>
public static class PriceCommand
{
    /// <param name="CgratesOptions">A CGRateS import's options (currency, timeZone, tenant, category, and the country code and trunk prefix if given).</param>
    public sealed record Request(
        string CatalogPath, bool Cgrates, string? Plan, string? Subject, IReadOnlyDictionary<string, string> CgratesOptions,
        string Service, string? Destination, string Start, string Usage)
    {
        public string Tenant => CgratesOptions.GetValueOrDefault("tenant", "cgrates.org");

        public string Category => CgratesOptions.GetValueOrDefault("category", "call");
    }

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var catalog = new Option<string>("--catalog") { Description = "Catalogue folder (native, or CGRateS with --cgrates)", Required = true };
        var isCgrates = new Option<bool>("--cgrates") { Description = "The folder is a CGRateS tariff plan" };
        var plan = new Option<string?>("--plan") { Description = "Plan id" };
        var subject = new Option<string?>("--subject") { Description = "CGRateS subject, resolved through RatingProfiles (with fallbacks)" };
        var service = new Option<string>("--service") { Description = "voice, sms or data", Required = true };
        var destination = new Option<string?>("--destination") { Description = "Called number (E.164, +…, 00… or national)" };
        var start = new Option<string>("--start") { Description = "Event start, ISO-8601 with offset", Required = true };
        var usage = new Option<string>("--usage") { Description = $"Seconds (95, 1m35s; at most {MaxUsage(ServiceType.Voice):N0}), SMS count (at most {MaxUsage(ServiceType.Sms):N0}), or bytes (5MB; at most 1TB)", Required = true };
        var cgrates = new CgratesOptions();
        var price = cgrates.AddTo(new Command("price", "Price one event from a catalogue folder, no database, and explain every part") { catalog, isCgrates, plan, subject, service, destination, start, usage });
        price.SetAction(p => cli.Run(p, g => Run(g, new Request(p.GetValue(catalog)!, p.GetValue(isCgrates), p.GetValue(plan), p.GetValue(subject),
            cgrates.Read(p), p.GetValue(service)!, p.GetValue(destination), p.GetValue(start)!, p.GetValue(usage)!), Console.Out)));
        return price;
    }

    /// <summary>The most one event may carry: what mediation takes from a CDR by default (a day of voice, 1 TiB of data), and 1,000 messages.</summary>
    public static long MaxUsage(ServiceType service) => service switch
    {
        ServiceType.Voice => SourceOptions.DefaultMaxDurationSeconds,
        ServiceType.Data => SourceOptions.DefaultMaxVolumeBytes,
        _ => 1_000,
    };

    public static int Run(GlobalOptions g, Request r, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (!ServiceTypes.TryParse(r.Service, out var service))
        {
            throw new UserErrorException($"--service '{r.Service}' must be voice, sms or data.");
        }

        var start = OffsetDateTimePattern.ExtendedIso.Parse(r.Start);
        if (!start.Success)
        {
            throw new UserErrorException($"--start '{r.Start}' must be ISO-8601 with an offset, e.g. 2026-11-02T18:59:30Z or 2026-11-02T18:59:30+00:00.");
        }

        if (Checked.OutOfRange(start.Value.ToInstant()) is { } range)
        {
            throw new UserErrorException($"--start '{r.Start}' {range}.");
        }

        if (!CatalogUnits.TryParseQuantity(service, r.Usage, out var quantity))
        {
            throw new UserErrorException($"--usage '{r.Usage}' is not a {service.Code()} quantity (voice: 95 or 1m35s… seconds; sms: 1; data: bytes or 5MB).");
        }

        if (quantity > MaxUsage(service))
        {
            throw new UserErrorException($"--usage '{r.Usage}' is more than one {service.Code()} event carries: at most {MaxUsage(service):N0} {Unit(service)}.");
        }

        // The dialled number and a CGRateS plan's prefixes are read under the same numbering plan, so they meet in E.164.
        var config = BillingConfig.Load(g.ConfigPath);
        var options = CatalogSource.WithNumbering(r.CgratesOptions, config.PrefixNumbering);
        var numbering = config.Numbering with { CountryCode = options[CatalogSource.CountryCodeOption], TrunkPrefix = options[CatalogSource.TrunkPrefixOption] };
        string? destination = null;
        if (service != ServiceType.Data)
        {
            destination = new NumberNormaliser(numbering).Normalise(r.Destination, out var problem);
            if (destination is null)
            {
                // Short internal numbers (a CGRateS tutorial's 1002) are priced as dialled.
                var digits = (r.Destination ?? "").TrimStart('+');
                destination = digits.Length > 0 && digits.All(char.IsAsciiDigit) ? digits : throw new UserErrorException($"--destination: {problem}");
            }
        }

        if (!Directory.Exists(r.CatalogPath))
        {
            throw new UserErrorException($"No such catalogue folder: {r.CatalogPath}");
        }

        var loaded = CatalogSource.LoadFolder(r.Cgrates ? CatalogSource.Cgrates : CatalogSource.Native, r.CatalogPath, "cli:" + CatalogChecksum.Of(r.CatalogPath)[..8], options);
        if (!loaded.Succeeded)
        {
            throw new UserErrorException($"The catalogue does not load:\n  {string.Join("\n  ", loaded.Errors.Take(20))}");
        }

        var catalog = loaded.Catalog!;
        var rater = new Rater(catalog);
        var request = new RatingRequest(service, destination, start.Value.ToInstant(), quantity);
        var (planId, outcome) = r.Plan is { } plan ? (plan, default(RatingOutcome))
            : r.Subject is { } subject ? RatingProfiles.Price(catalog, rater, r.Tenant, r.Category, subject, request)
            : throw new UserErrorException("Say which plan: --plan ID, or --subject ID for a CGRateS catalogue.");
        var opening = new Dictionary<string, long>(StringComparer.Ordinal);
        if (planId is not null)
        {
            var allowances = rater.OpeningAllowances(planId);
            opening = allowances.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
            outcome = rater.Rate(planId, request, allowances.Count == 0 ? null : allowances);
        }

        if (outcome.Charge is not { } charge)
        {
            if (g.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { rated = false, reason = outcome.FailureReason, detail = outcome.FailureDetail }, BillingConfig.Json));
            }
            else
            {
                output.WriteLine($"Not priced ({outcome.FailureReason}): {outcome.FailureDetail}");
            }

            return 3;
        }

        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(Json(charge, planId!), BillingConfig.Json));
            return 0;
        }

        var pricing = catalog.Plans[planId!];
        var zone = DateTimeZoneProviders.Tzdb[pricing.TimeZone];
        output.WriteLine($"{quantity:N0} {Unit(service)} {service.Code()} {(destination is null ? "" : $"to {destination} ")}at {request.Start.InZone(zone):uuuu-MM-dd HH:mm:ss (ddd) z}");
        output.WriteLine($"plan {planId} ({pricing.Currency}, {pricing.TimeZone}), catalogue {charge.CatalogVersion}" +
            (charge.DestinationGroup is null ? "" : $", destination {charge.DestinationGroup}{(charge.MatchedPrefix is null ? "" : $" (prefix {charge.MatchedPrefix})")}"));
        if (opening.Count > 0)
        {
            output.WriteLine($"priced as the first event of a cycle, allowances full: {string.Join(", ", opening.Select(a => $"{a.Key} {a.Value:N0}"))} (what a cycle has used is known to `billing rate`, not here)");
        }

        WriteBreakdown(output, charge, zone, service);
        output.WriteLine($"cost {charge.Amount.ToString("0.000000", CultureInfo.InvariantCulture)} {charge.Currency} (the charge as stored, 6 decimals; an invoice rounds each of its lines once to the currency's minor unit)");
        return 0;
    }

    /// <summary>
    /// How the engine priced a charge, as `price` and `charges explain` print it: each part (band, rate, 1-based step,
    /// billed, allowance, cost), the connect fee and raw cost with minimum, cap or disconnect, and what was billed.
    /// </summary>
    public static void WriteBreakdown(TextWriter output, RatedCharge charge, DateTimeZone zone, ServiceType service)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(charge);
        var table = new TextTable("from", "offset", "billed", "timing", "rate", "step", "allowance", "cost (6 dp)");
        foreach (var p in charge.Parts)
        {
            table.Add(p.Start.InZone(zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture), p.Offset, p.BilledQuantity, p.TimingId, p.RateId, p.StepIndex + 1, p.AllowanceQuantity, p.Cost.ToString("0.000000", CultureInfo.InvariantCulture));
        }

        output.Write(table.ToString());
        output.WriteLine($"connect fee {charge.ConnectFee.ToString(CultureInfo.InvariantCulture)}; raw cost {charge.RawCost.ToString(CultureInfo.InvariantCulture)}" +
            (charge.MinimumApplied ? "; minimum charge applied" : "") + (charge.Capped ? "; capped at the maximum cost" : "") +
            (charge.DisconnectAt is { } cutAt ? $"; maximum cost reached: the call should have been cut at {cutAt} s (disconnect strategy)" : ""));
        output.WriteLine($"billed {charge.BilledQuantity:N0} of {charge.Quantity:N0} {Unit(service)}" + (charge.AllowanceId is null ? "" : $"; allowance {charge.AllowanceId} used {charge.AllowanceUsed:N0}"));
    }

    public static string Unit(ServiceType service) => service switch { ServiceType.Voice => "s", ServiceType.Sms => "SMS", _ => "bytes" };

    /// <summary>The documented JSON: cost as a decimal string, plus the breakdown.</summary>
    public static object Json(RatedCharge c, string planId) => new
    {
        rated = true,
        cost = c.Amount.ToString(CultureInfo.InvariantCulture),
        currency = c.Currency,
        plan = planId,
        catalogVersion = c.CatalogVersion,
        destinationGroup = c.DestinationGroup,
        matchedPrefix = c.MatchedPrefix,
        quantity = c.Quantity,
        billedQuantity = c.BilledQuantity,
        allowanceId = c.AllowanceId,
        allowanceUsed = c.AllowanceUsed,
        timeBand = c.TimeBand,
        connectFee = c.ConnectFee.ToString(CultureInfo.InvariantCulture),
        rawCost = c.RawCost.ToString(CultureInfo.InvariantCulture),
        minimumApplied = c.MinimumApplied,
        capped = c.Capped,
        disconnectReached = c.DisconnectReached,
        disconnectAt = c.DisconnectAt,
        parts = c.Parts.Select(p => new
        {
            start = p.Start.ToString(),
            offset = p.Offset,
            billed = p.BilledQuantity,
            timing = p.TimingId,
            rate = p.RateId,
            step = p.StepIndex + 1, // 1-based, as the text table numbers a rate's steps (the stored explanation keeps the index)
            allowance = p.AllowanceQuantity,
            cost = p.Cost.ToString(CultureInfo.InvariantCulture),
        }),
    };
}
