using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.Jobs.Mediation;
using Billing.Mediation;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Benchmarks;

/// <summary>The generated CDR files of an ingest benchmark: under <see cref="Folder"/>, a drop folder with canonical files waiting.</summary>
public sealed record IngestBenchFiles(string Folder, string DropFolder, string Incoming, int Rows, int Files, long Bytes);

/// <summary>
/// What one ingest benchmark round measured: the end-to-end ingest, the reference a user could build by hand
/// (the same CSV files sent by a text COPY, as `psql \copy … csv header` does, into an 8-column table keyed
/// on the record id) and a plain binary COPY of the same rows into a table shaped like usage.
/// </summary>
public sealed record IngestFigures(int Rows, int Files, int Workers, long FileBytes, double IngestSeconds, double TextCopySeconds, double PlainCopySeconds, long PeakWorkingSet, long PeakDuringIngest)
{
    public double IngestRowsPerSecond => Rows / IngestSeconds;

    public double TextCopyRowsPerSecond => Rows / TextCopySeconds;

    public double PlainCopyRowsPerSecond => Rows / PlainCopySeconds;

    /// <summary>End to end over the hand-made text COPY of the same files (the issue's target: at least 0.8).</summary>
    public double TextCopyRatio => IngestRowsPerSecond / TextCopyRowsPerSecond;

    /// <summary>End to end over the plain COPY: what checksum, parse, normalise, dedupe, manifest and archive cost on top.</summary>
    public double Ratio => IngestRowsPerSecond / PlainCopyRowsPerSecond;
}

/// <summary>
/// billing bench ingest: N canonical CDRs in files, ingested end to end (checksum, parse,
/// normalise, COPY, dedupe, manifest, archive) and, in the same run, a plain binary COPY of the
/// same rows into a comparable table.
/// </summary>
public static class IngestBenchmark
{
    private static readonly Instant Base = Instant.FromUtc(2026, 11, 1, 0, 0);

    /// <summary>Writes <paramref name="rows"/> CDRs in <paramref name="files"/> canonical files under a fresh <paramref name="folder"/>.</summary>
    public static IngestBenchFiles WriteFiles(string folder, int rows, int files)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(files, 1);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var drop = Path.Combine(folder, "drop");
        var incoming = Path.Combine(drop, "incoming", "canonical");
        Directory.CreateDirectory(incoming);
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

        return new IngestBenchFiles(folder, drop, incoming, rows, files, bytes);
    }

    /// <summary>
    /// Times the text COPY of the files (the hand-made reference), ingests the files with <paramref name="workers"/>
    /// in parallel into an emptied database, then times the plain binary COPY; <paramref name="progress"/> hears between them.
    /// </summary>
    public static IngestFigures Run(BillingDatabase db, MediationOptions mediation, IngestBenchFiles bench, int workers, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(mediation);
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        using (var conn = db.Open())
        {
            conn.Execute("TRUNCATE usage, suspense, cdr_files RESTART IDENTITY CASCADE");
            conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text);
        }

        progress($"A text COPY of the same files into an 8-column table (what `psql \\copy … csv header` does), {workers} connection(s) …");
        var textSeconds = TextCopy(db.DataSource, bench, workers);
        progress($"Text COPY in {textSeconds:F2} s; now the ingest …");
        GC.Collect();
        var options = mediation with { DropFolder = bench.DropFolder, SettleSeconds = 0 };
        var ingestJob = new IngestFileJob(db, options, NodaTime.SystemClock.Instance);
        var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        using var sampler = new PeakMemorySampler();
        var sw = Stopwatch.StartNew();
        var names = Directory.EnumerateFiles(bench.Incoming).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var outcomes = new IngestOutcome[names.Count];
        Parallel.For(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => outcomes[i] = ingestJob.Ingest("canonical", names[i]!));
        sw.Stop();
        var ingestSeconds = sw.Elapsed.TotalSeconds;
        var peak = sampler.Stop();
        var accepted = outcomes.Sum(o => o.Manifest.Accepted);
        if (accepted != bench.Rows || outcomes.Any(o => o.Status != IngestOutcome.Statuses.Archived))
        {
            throw new InvalidOperationException($"bench: expected {bench.Rows} accepted rows in archived files, got {accepted}: {string.Join("; ", outcomes.Where(o => o.Status != "archived").Select(o => o.Reason))}");
        }

        progress($"Ingested in {ingestSeconds:F2} s; now a plain binary COPY of the same rows …");
        var copySeconds = PlainCopy(db.DataSource, bench.Rows, workers);
        return new IngestFigures(bench.Rows, bench.Files, workers, bench.Bytes, ingestSeconds, textSeconds, copySeconds, Math.Max(peak, peakBefore), peak);
    }

    /// <summary>Deletes the generated files (and the drop folder the ingest archived them to).</summary>
    public static void Remove(IngestBenchFiles bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        Directory.Delete(bench.Folder, recursive: true);
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

    /// <summary>
    /// The reference a user could build by hand in a minute: each canonical file sent as it is by a text COPY
    /// (`FORMAT csv, HEADER`, what `psql \copy … csv header` sends) into a plain table of the eight canonical
    /// columns keyed on the record id, the files shared by as many connections as ingest workers. The server
    /// parses the text; no checks, no normalising, no manifest.
    /// </summary>
    private static double TextCopy(NpgsqlDataSource ds, IngestBenchFiles bench, int connections)
    {
        using (var setup = ds.OpenConnection())
        {
            setup.Execute("""
            DROP TABLE IF EXISTS bench_text_copy;
            CREATE TABLE bench_text_copy (
                record_id text PRIMARY KEY, service text, msisdn text, destination text, start_time timestamptz,
                duration_s bigint, volume_bytes bigint, cell_id text);
            CHECKPOINT;
            """);
        }

        var files = Directory.EnumerateFiles(bench.Incoming).Order(StringComparer.Ordinal).ToList();
        var sw = Stopwatch.StartNew();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = connections }, file =>
        {
            using var conn = ds.OpenConnection();
            using var reader = new StreamReader(file, new UTF8Encoding(false), false, 1 << 16);
            using var copy = conn.BeginTextImport("COPY bench_text_copy FROM STDIN (FORMAT csv, HEADER true)");
            var buffer = new char[1 << 16];
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                copy.Write(buffer, 0, n);
            }
        });
        sw.Stop();
        using (var check = ds.OpenConnection())
        {
            var copied = check.ExecuteScalar<long>("SELECT count(*) FROM bench_text_copy");
            check.Execute("DROP TABLE bench_text_copy; CHECKPOINT;");
            if (copied != bench.Rows)
            {
                throw new InvalidOperationException($"bench: the text COPY loaded {copied} rows, not {bench.Rows}");
            }
        }

        return sw.Elapsed.TotalSeconds;
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
}
