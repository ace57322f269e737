using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Jobs.Mediation;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench ingest: generates N canonical CDRs in files, ingests them end to end (checksum,
/// parse, normalise, COPY, dedupe, manifest, archive) and, in the same run, times a plain binary
/// COPY of the same rows into a comparable table. Prints measured figures only.
/// </summary>
public static class BenchCommand
{
    private static readonly Instant Base = Instant.FromUtc(2026, 11, 1, 0, 0);

    public static int Ingest(GlobalOptions g, int rows, int files, int workers, TextWriter output)
    {
        if (rows < 1 || files < 1 || workers < 1)
        {
            throw new UserErrorException("--rows, --files and --workers must be at least 1.");
        }

        var config = BillingConfig.Load(g.ConfigPath);
        var dir = Path.GetFullPath(Path.Combine(config.StateDirectory, "bench"));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        var drop = Path.Combine(dir, "drop");
        var incoming = Path.Combine(drop, "incoming", "canonical");
        Directory.CreateDirectory(incoming);
        Say(g, output, $"Generating {rows:N0} canonical CDRs in {files} file(s) under {incoming} …");
        long bytes = 0;
        var perFile = (rows + files - 1) / files;
        for (var f = 0; f < files; f++)
        {
            var first = f * perFile;
            var count = Math.Min(perFile, rows - first);
            if (count > 0)
            {
                bytes += WriteFile(Path.Combine(incoming, $"bench-{f:0000}.csv"), first, count);
            }
        }

        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say(g, output, $"Database: {rt.Where}");
        using (var conn = rt.Db.Open())
        {
            conn.Execute("TRUNCATE usage, suspense, cdr_files RESTART IDENTITY CASCADE");
            conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text);
        }

        GC.Collect();
        var options = rt.Config.Mediation with { DropFolder = drop, SettleSeconds = 0 };
        var folder = new IngestDropFolderJob(rt.Db, options, SystemClock.Instance);
        var ingestJob = new IngestFileJob(rt.Db, options, SystemClock.Instance);
        var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        using var sampler = new PeakMemorySampler();
        var sw = Stopwatch.StartNew();
        var names = Directory.EnumerateFiles(incoming).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var outcomes = new IngestOutcome[names.Count];
        Parallel.For(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => outcomes[i] = ingestJob.Ingest("canonical", names[i]!));
        sw.Stop();
        var ingestSeconds = sw.Elapsed.TotalSeconds;
        var peak = sampler.Stop();
        var accepted = outcomes.Sum(o => o.Manifest.Accepted);
        if (accepted != rows || outcomes.Any(o => o.Status != IngestOutcome.Statuses.Archived))
        {
            throw new InvalidOperationException($"bench: expected {rows} accepted rows in archived files, got {accepted}: {string.Join("; ", outcomes.Where(o => o.Status != "archived").Select(o => o.Reason))}");
        }

        Say(g, output, $"Ingested in {ingestSeconds:F2} s; now a plain binary COPY of the same rows …");
        var copySeconds = PlainCopy(rt.Db.DataSource, rows, workers);
        _ = folder;

        var ingestRate = rows / ingestSeconds;
        var copyRate = rows / copySeconds;
        var result = new
        {
            rows,
            files,
            workers,
            fileMegabytes = Math.Round(bytes / 1048576m, 1),
            ingestSeconds = Math.Round((decimal)ingestSeconds, 3),
            ingestRowsPerSecond = Math.Round((decimal)ingestRate),
            plainCopySeconds = Math.Round((decimal)copySeconds, 3),
            plainCopyRowsPerSecond = Math.Round((decimal)copyRate),
            ratio = Math.Round((decimal)(ingestRate / copyRate), 3),
            peakWorkingSetMegabytes = Math.Round(Math.Max(peak, peakBefore) / 1048576m, 1),
            peakDuringIngestMegabytes = Math.Round(peak / 1048576m, 1),
            machine = $"{Environment.ProcessorCount} cores, {RuntimeInfo()}",
        };
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(result, BillingConfig.Json));
        }
        else
        {
            output.WriteLine();
            output.WriteLine($"bench ingest: {rows:N0} CDRs in {files} file(s) ({result.fileMegabytes} MiB), {workers} worker(s), {result.machine}");
            output.WriteLine($"  end to end (checksum, parse, normalise, COPY, dedupe, manifest, archive): {ingestSeconds,8:F2} s  {ingestRate,12:N0} CDRs/s");
            output.WriteLine($"  plain binary COPY of the same rows, {workers} connection(s), same table shape: {copySeconds,8:F2} s  {copyRate,12:N0} rows/s");
            output.WriteLine($"  ratio end to end / plain COPY: {ingestRate / copyRate:P1}");
            output.WriteLine($"  peak working set during ingest: {result.peakDuringIngestMegabytes} MiB");
        }

        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    private static void Say(GlobalOptions g, TextWriter output, string line)
    {
        if (!g.Json)
        {
            output.WriteLine(line);
        }
    }

    private static long WriteFile(string path, int first, int count)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("record_id,service,msisdn,destination,start_time,duration_s,volume_bytes,cell_id\n");
        var sb = new StringBuilder(128);
        for (var i = first; i < first + count; i++)
        {
            var r = Row(i);
            sb.Clear();
            sb.Append(r.Key).Append(',').Append(r.Service).Append(",0").Append(r.Msisdn[2..]).Append(',')
              .Append(r.Destination is null ? "" : "0" + r.Destination[2..]).Append(',')
              .Append(r.Start.ToString("uuuu-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
              .Append(r.Service == "voice" ? r.Seconds.ToString(CultureInfo.InvariantCulture) : "").Append(',')
              .Append(r.Service == "data" ? r.Bytes.ToString(CultureInfo.InvariantCulture) : "").Append(',')
              .Append(r.Cell).Append('\n');
            w.Write(sb);
        }

        w.Flush();
        return w.BaseStream.Length;
    }

    private readonly record struct BenchRow(string Key, string Service, string Msisdn, string? Destination, Instant Start, long Seconds, long Bytes, string Cell);

    /// <summary>The i-th generated CDR: 70 % voice, 20 % SMS, 10 % data; UK numbers.</summary>
    private static BenchRow Row(int i)
    {
        var kind = i % 10;
        var service = kind < 7 ? "voice" : kind < 9 ? "sms" : "data";
        var msisdn = "447700" + (i % 900_000 + 100_000).ToString(CultureInfo.InvariantCulture);
        var destination = service == "data" ? null : (i % 3 == 0 ? "4420794" : "447911") + (i * 7 % 900_000 + 100_000).ToString(CultureInfo.InvariantCulture)[..(i % 3 == 0 ? 4 : 6)];
        return new BenchRow("b" + i.ToString(CultureInfo.InvariantCulture), service, msisdn, destination,
            Base.Plus(Duration.FromSeconds(i / 4)), i % 1800 + 1, (i % 5000 + 1) * 1024L, "cell-" + (i % 500).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The baseline: the same rows, binary COPY with as many connections as ingest workers, no parsing, no checks.</summary>
    private static double PlainCopy(NpgsqlDataSource ds, int rows, int connections)
    {
        using (var setup = ds.OpenConnection())
        {
            setup.Execute("""
            DROP TABLE IF EXISTS bench_plain_copy;
            CREATE TABLE bench_plain_copy (LIKE usage INCLUDING ALL);
            CHECKPOINT;
            """);
        }

        var sw = Stopwatch.StartNew();
        var per = (rows + connections - 1) / connections;
        Parallel.For(0, connections, new ParallelOptions { MaxDegreeOfParallelism = connections }, part =>
        {
            using var conn = ds.OpenConnection();
            using var tx = conn.BeginTransaction();
            using (var copy = conn.BeginBinaryImport("COPY bench_plain_copy (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, cell_id, file_id, line_no) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = part * per; i < Math.Min(rows, (part + 1) * per); i++)
                {
                    var r = Row(i);
                    copy.StartRow();
                    copy.Write("canonical", NpgsqlDbType.Text);
                    copy.Write(r.Key, NpgsqlDbType.Text);
                    copy.Write((short)(r.Service == "voice" ? 1 : r.Service == "sms" ? 2 : 3), NpgsqlDbType.Smallint);
                    copy.Write(r.Msisdn, NpgsqlDbType.Text);
                    if (r.Destination is null) { copy.WriteNull(); } else { copy.Write(r.Destination, NpgsqlDbType.Text); }
                    copy.Write(r.Start, NpgsqlDbType.TimestampTz);
                    copy.Write(r.Service == "voice" ? r.Seconds : 0L, NpgsqlDbType.Bigint);
                    copy.Write(r.Service == "data" ? r.Bytes : 0L, NpgsqlDbType.Bigint);
                    copy.Write(r.Cell, NpgsqlDbType.Text);
                    copy.Write(1L, NpgsqlDbType.Bigint);
                    copy.Write((long)i + 2, NpgsqlDbType.Bigint);
                }

                copy.Complete();
            }

            tx.Commit();
        });

        sw.Stop();
        using (var cleanup = ds.OpenConnection())
        {
            cleanup.Execute("DROP TABLE bench_plain_copy");
        }

        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Samples the process working set every 20 ms: the peak of one phase, not of the process's life.</summary>
    internal sealed class PeakMemorySampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;
        private long _peak;

        public PeakMemorySampler() => _task = Task.Run(async () =>
        {
            var p = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                p.Refresh();
                _peak = Math.Max(_peak, p.WorkingSet64);
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        public long Stop()
        {
            _stop.Cancel();
            _task.Wait();
            return _peak;
        }

        public void Dispose() => _stop.Dispose();
    }
}
