using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Billing.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench rate: N stored usage records of S subscribers, priced by the synthetic catalogue
/// (5,000 prefixes, 3 bands, allowances), rated by the real job against PostgreSQL; and the pure
/// engine alone on one core. Prints measured figures only.
/// </summary>
public static class BenchRateCommand
{
    public static int Run(GlobalOptions g, int rows, int subscribers, int workers, int prefixes, TextWriter output)
    {
        if (rows < 1 || subscribers < 1 || workers < 1)
        {
            throw new UserErrorException("--rows, --subscribers and --workers must be at least 1.");
        }

        void Say(string line)
        {
            if (!g.Json)
            {
                output.WriteLine(line);
            }
        }

        Say($"Engine alone: rating {rows:N0} synthetic events on one core …");
        EngineBenchmark.Run(Math.Min(rows, 200_000), prefixes); // warm-up
        var engine = EngineBenchmark.Run(rows, prefixes);
        var engineRate = engine.Events * (decimal)Stopwatch.Frequency / Math.Max(1, engine.ElapsedTicks);

        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say($"Database: {rt.Where}");
        Say($"Storing {subscribers:N0} subscribers and {rows:N0} usage records …");
        using (var conn = rt.Db.Open())
        {
            Setup(conn, rows, subscribers, prefixes);
        }

        GC.Collect();
        using var sampler = new BenchCommand.PeakMemorySampler();
        var sw = Stopwatch.StartNew();
        var results = new RatingRunResult[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
            w => results[w] = new RateUsageJob(rt.Db, new CatalogCache()).RateAll(RateUsageJob.DefaultRangeSize));
        sw.Stop();
        var peak = sampler.Stop();
        var rated = results.Sum(r => r.Rated);
        var held = results.Sum(r => r.Held);
        long stored;
        using (var conn = rt.Db.Open())
        {
            stored = conn.ExecuteScalar<long>("SELECT count(*) FROM rated_charges");
        }

        if (stored + held != rows)
        {
            throw new InvalidOperationException($"bench: {rows} usage records but {stored} charges and {held} holds");
        }

        var rate = rows / sw.Elapsed.TotalSeconds;
        var figures = new
        {
            rows,
            subscribers,
            workers,
            prefixes,
            ratedRecords = stored,
            heldRecords = held,
            seconds = Math.Round((decimal)sw.Elapsed.TotalSeconds, 3),
            recordsPerSecond = Math.Round((decimal)rate),
            peakWorkingSetMegabytes = Math.Round(peak / 1048576m, 1),
            engineEventsPerSecondOneCore = Math.Round(engineRate),
            machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}",
        };
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(figures, BillingConfig.Json));
        }
        else
        {
            output.WriteLine();
            output.WriteLine($"bench rate: {rows:N0} usage records, {subscribers:N0} subscribers, {prefixes:N0} prefixes, 3 bands, allowances; {workers} worker(s); {figures.machine}");
            output.WriteLine($"  bulk rating with PostgreSQL (read, rate, COPY charges, balances): {sw.Elapsed.TotalSeconds,8:F2} s  {rate,12:N0} records/s  ({stored:N0} rated, {held:N0} held)");
            output.WriteLine($"  the pure engine alone, one core:                                  {engineRate,23:N0} events/s");
            output.WriteLine($"  peak working set while rating: {figures.peakWorkingSetMegabytes} MiB");
        }

        return 0;
    }

    private static void Setup(NpgsqlConnection conn, int rows, int subscribers, int prefixes)
    {
        conn.Execute("TRUNCATE usage, suspense, cdr_files, rated_charges, rating_holds, allowance_balances, subscriptions, accounts, catalog_versions RESTART IDENTITY CASCADE");
        CatalogStore.Save(conn, $"synthetic-{prefixes}", CatalogSource.Synthetic, $"synthetic-{prefixes}", Instant.FromUtc(2026, 1, 1, 0, 0),
            new Dictionary<string, string>(), new Dictionary<string, string> { ["prefixes"] = prefixes.ToString(CultureInfo.InvariantCulture) }, "bench");
        conn.Execute("""
            INSERT INTO accounts (id, name, currency, time_zone, payment_type, bill_cycle_day)
            SELECT 'B-' || i, 'Bench ' || i, 'GBP', 'Europe/London', 'postpaid', 1 + i % 28 FROM generate_series(0, @n - 1) i;
            INSERT INTO subscriptions (account_id, msisdn, plan_id, active_from)
            SELECT 'B-' || i, '4477' || lpad(i::text, 8, '0'), @plan, '2026-01-01T00:00:00Z' FROM generate_series(0, @n - 1) i;
            INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status) VALUES ('bench', 'bench', 'bench', 0, 'canonical', 'processing');
            """, new { n = subscribers, plan = SyntheticCatalog.PlanId });
        var events = SyntheticCatalog.Events(SyntheticCatalog.Create(prefixes), rows);
        using (var copy = conn.BeginBinaryImport("COPY usage (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, cell_id, file_id, line_no) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < events.Length; i++)
            {
                var e = events[i];
                copy.StartRow();
                copy.Write("bench", NpgsqlDbType.Text);
                copy.Write(i.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                copy.Write((short)e.Service, NpgsqlDbType.Smallint);
                copy.Write("4477" + (i % subscribers).ToString("00000000", CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                if (e.Destination is null) { copy.WriteNull(); } else { copy.Write(e.Destination, NpgsqlDbType.Text); }
                copy.Write(e.Start, NpgsqlDbType.TimestampTz);
                copy.Write(e.Service == ServiceType.Voice ? e.Quantity : 0L, NpgsqlDbType.Bigint);
                copy.Write(e.Service == ServiceType.Data ? e.Quantity : 0L, NpgsqlDbType.Bigint);
                copy.WriteNull();
                copy.Write(1L, NpgsqlDbType.Bigint);
                copy.Write((long)i, NpgsqlDbType.Bigint);
            }

            copy.Complete();
        }

        conn.Execute("ANALYZE usage; ANALYZE subscriptions; ANALYZE accounts; CHECKPOINT");
    }
}
