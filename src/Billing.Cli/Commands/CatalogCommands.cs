using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Catalog;
using Billing.Core.Catalog;
using Billing.Storage;
using Billing.Storage.Rating;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing catalog load|import-cgrates|show.</summary>
public static class CatalogCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var path = new Argument<string>("path") { Description = "Catalogue folder" };
        var effective = Checked.Time("--effective", "Usage from this date (UTC midnight) or ISO-8601 time on is priced by this version (default: now)");
        var label = new Option<string?>("--label") { Description = "Version label stored with every rated charge (default: folder name + checksum)" };
        var load = new Command("load", "Validate a native catalogue folder (every error with file and line) and store it as a new version") { path, effective, label };
        load.SetAction(p => cli.Run(p, g => Load(g, CatalogSource.Native, p.GetValue(path)!, p.GetValue(effective), p.GetValue(label), new Dictionary<string, string>(), Console.Out)));
        var dir = new Argument<string>("dir") { Description = "CGRateS tariff-plan folder (Destinations.csv, Timings.csv, Rates.csv, DestinationRates.csv, RatingPlans.csv, RatingProfiles.csv)" };
        var cgrates = new CgratesOptions();
        var import = cgrates.AddTo(new Command("import-cgrates", "Import a CGRateS tariff plan with CGRateS' semantics and store it as a new version") { dir });
        import.Options.Add(effective);
        import.Options.Add(label);
        import.SetAction(p => cli.Run(p, g => Load(g, CatalogSource.Cgrates, p.GetValue(dir)!, p.GetValue(effective), p.GetValue(label), cgrates.Read(p), Console.Out)));
        var version = new Option<int?>("--version") { Description = "Version to show (default: the one in force now)" }.AtLeast(1);
        var show = new Command("show", "Stored catalogue versions and a summary of one") { version };
        show.SetAction(p => cli.Run(p, g => Show(g, p.GetValue(version), Console.Out)));
        return new Command("catalog", "Tariff catalogue versions") { load, import, show };
    }

    public static int Load(GlobalOptions g, string kind, string path, Instant? effective, string? label, IReadOnlyDictionary<string, string> options, TextWriter output)
    {
        if (!Directory.Exists(path))
        {
            throw new UserErrorException($"No such folder: {path}");
        }

        if (kind == CatalogSource.Cgrates)
        {
            options = CatalogSource.WithNumbering(options, BillingConfig.Load(g.ConfigPath).PrefixNumbering);
        }

        var checksum = CatalogChecksum.Of(path);
        label ??= $"{Path.GetFileName(Path.GetFullPath(path).TrimEnd('/'))}-{checksum[..8]}";
        var result = CatalogSource.LoadFolder(kind, path, label, options);
        foreach (var w in result.Warnings)
        {
            output.WriteLine($"warning: {Path.Combine(path, w.ToString())}");
        }

        if (!result.Succeeded)
        {
            output.WriteLine($"The catalogue in {path} was not stored: {result.Errors.Count} error(s).");
            foreach (var e in result.Errors)
            {
                output.WriteLine($"  {Path.Combine(path, e.ToString())}");
            }

            return 2;
        }

        var from = effective ?? SystemClock.Instance.GetCurrentInstant();
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var (id, created) = CatalogStore.Save(conn, label, kind, checksum, from, CatalogSource.ReadFiles(path), options, Environment.UserName);
        var uncovered = UncoveredUsage(conn, effective is null);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                version = id, created, label, kind, checksum, effectiveFrom = from.ToString(),
                warnings = result.Warnings.Select(w => w.ToString()).Concat(uncovered is null ? [] : [uncovered]),
            }, BillingConfig.Json));
            return 0;
        }

        if (uncovered is not null)
        {
            output.WriteLine($"warning: {uncovered}");
        }

        output.WriteLine(created
            ? $"Stored catalogue version {id} ({label}, {kind}), effective from {from}."
            : $"Unchanged: version {id}, the latest load with this effective date, has the same files and options.");
        output.WriteLine(CatalogPrinter.Summary(result.Catalog!));
        return 0;
    }

    /// <summary>
    /// Usage waiting for rating that no stored version can price, because it starts before the earliest effective date:
    /// rating would hold it as no-catalog. Said at load time, with the --effective date that would price it.
    /// </summary>
    private static string? UncoveredUsage(Npgsql.NpgsqlConnection conn, bool effectiveDefaulted)
    {
        var earliest = CatalogStore.List(conn).Min(v => v.EffectiveFrom);
        var (count, first) = UsageToRateStore.NotRatedBefore(conn, earliest);
        if (count == 0 || first is not { } from)
        {
            return null;
        }

        return $"{count:N0} usage record(s) not rated yet start before {earliest}, when the earliest catalogue version takes effect " +
            $"(the first at {from}): no version prices them, so rating holds them as no-catalog" +
            (effectiveDefaulted ? " (without --effective a version takes effect when it is loaded)" : "") +
            $". Load the catalogue with --effective {from.InUtc().Date:uuuu-MM-dd} (or earlier) to price them.";
    }

    public static int Show(GlobalOptions g, int? version, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var versions = CatalogStore.List(conn);
        if (versions.Count == 0)
        {
            output.WriteLine("No catalogue loaded yet: billing catalog load templates/catalog");
            return 0;
        }

        var row = version is { } v
            ? CatalogStore.Get(conn, v) ?? throw new UserErrorException($"No catalogue version {v}.")
            : CatalogStore.InForce(conn, SystemClock.Instance.GetCurrentInstant()) ?? versions[^1];
        var (files, options) = CatalogStore.Content(conn, row.Id);
        var catalog = CatalogSource.LoadFiles(row.Kind, row.Label, files, options).Catalog!;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                versions = versions.Select(x => new { x.Id, x.Label, x.Kind, effectiveFrom = x.EffectiveFrom.ToString(), loadedAt = x.LoadedAt.ToString(), x.LoadedBy }),
                shown = row.Id,
                plans = catalog.Plans.Values.Select(p => new { p.Id, p.Name, p.Currency, p.TimeZone, voice = p.Voice.Count, sms = p.Sms.Count, data = p.Data.Count, allowances = p.Allowances.Select(a => new { a.Id, service = a.Service.ToString().ToLowerInvariant(), a.Amount }) }),
                prefixes = catalog.Destinations.Count,
            }, BillingConfig.Json));
            return 0;
        }

        var table = new TextTable("version", "label", "kind", "effective from (UTC)", "loaded (UTC)", "by");
        foreach (var x in versions)
        {
            table.Add(x.Id == row.Id ? $"*{x.Id}" : x.Id.ToString(CultureInfo.InvariantCulture), x.Label, x.Kind,
                x.EffectiveFrom.ToString("uuuu-MM-dd HH:mm", null), x.LoadedAt.ToString("uuuu-MM-dd HH:mm", null), x.LoadedBy);
        }

        output.Write(table.ToString());
        output.WriteLine();
        output.WriteLine($"Version {row.Id} ({row.Label}):");
        output.WriteLine(CatalogPrinter.Summary(catalog));
        return 0;
    }
}
