using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Billing.Catalog;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Benchmarks;

/// <summary>One drop: from the file's last write to its wallet debit with the notice queued (the same transaction).</summary>
public sealed record LatencyDrop(int Drop, string File, double Seconds);

public sealed record LatencyFigures(int Drops, int SettleMilliseconds, double P50, double P95, double Max, double Mean, string LoadBefore, string LoadAfter, IReadOnlyList<LatencyDrop> Each);

/// <summary>
/// Near-real-time balances, end to end: the real <c>billing serve</c> (a child process, the drop-folder
/// watcher and two Hangfire workers, as an operator starts it) on a fresh database with one prepaid
/// subscriber per drop, each wallet at 5.01 on the synthetic plan (told at 5.00). Files of one SMS
/// (0.05) are dropped one at a time; each is timed from its last write until its wallet shows the debit
/// and its low-balance notice is in the outbox (polled every 20 ms). The first drop warms serve up and is
/// not counted.
/// </summary>
public static class LatencyBenchmark
{
    public const decimal Credit = 5.01m;
    private const string Source = "canonical";
    private static readonly TimeSpan PerDrop = TimeSpan.FromMinutes(3);

    /// <summary>How often a drop's result is looked for: the resolution of each latency (docs/benchmarks.md says 20 ms).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <param name="billing">How to start billing itself: the program and its leading arguments (e.g. dotnet billing.dll).</param>
    public static LatencyFigures Run(BillingDatabase db, string folder, int drops, IReadOnlyList<string> billing, Action<string> say)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(billing);
        ArgumentNullException.ThrowIfNull(say);
        ArgumentOutOfRangeException.ThrowIfLessThan(drops, 1);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var drop = Path.Combine(folder, "drop");
        var incoming = Path.Combine(drop, "incoming", Source);
        Directory.CreateDirectory(incoming);
        const int settle = 1000;
        var config = Path.Combine(folder, "billing.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            stateDirectory = Path.Combine(folder, "state"),
            mediation = new { dropFolder = drop, watchSettleMilliseconds = settle },
        }));

        using (var conn = db.Open())
        {
            Setup(conn, drops + 1);
        }

        var url = $"http://127.0.0.1:{FreePort()}";
        say($"Starting billing serve at {url} on {drops + 1} prepaid subscribers (wallets at {Credit:F2}) …");
        using var serve = StartServe(billing, url, db.ConnectionString, config, folder);
        try
        {
            WaitHealthy(serve, url);
            var loadBefore = LoadAverage();
            var each = new List<LatencyDrop>();
            for (var i = 0; i <= drops; i++)
            {
                var seconds = DropOne(db, incoming, i, serve);
                if (i == 0)
                {
                    say($"  warm-up drop: {seconds:F3} s (not counted)");
                    continue;
                }

                each.Add(new LatencyDrop(i, FileName(i), seconds));
                if (i % 10 == 0)
                {
                    say($"  {i} of {drops} dropped; last {seconds:F3} s");
                }
            }

            var sorted = each.Select(d => d.Seconds).Order().ToArray();
            return new LatencyFigures(drops, settle, Percentile(sorted, 50), Percentile(sorted, 95), sorted[^1], sorted.Average(), loadBefore, LoadAverage(), each);
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
                serve.WaitForExit();
            }
        }
    }

    /// <summary>The nearest-rank percentile of ascending <paramref name="sorted"/> values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, int percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or "?".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string FileName(int i) => $"latency-{i:0000}.csv";

    private static string Msisdn(int i) => "4477" + i.ToString("00000000", CultureInfo.InvariantCulture);

    private static double DropOne(BillingDatabase db, string incoming, int i, Process serve)
    {
        // The record's own time is a few minutes before now, as a switch's would be: `billing serve` runs on the system
        // clock and mediation refuses events from its future. The figure itself is timed by a monotonic stopwatch
        // started as the file is written.
        var at = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var path = Path.Combine(incoming, FileName(i));
        using var conn = db.Open();
        var latency = Stopwatch.StartNew();
        File.WriteAllText(path, $"record_id,service,msisdn,destination,start_time,duration_s,volume_bytes,cell_id\nlat-{i},sms,{Msisdn(i)},447700900123,{at},,,\n", Encoding.UTF8);
        PollUntil(
            () => conn.ExecuteScalar<bool>("""
                SELECT EXISTS (SELECT 1 FROM wallet_ledger WHERE account_id = @a AND kind = 'usage')
                   AND EXISTS (SELECT 1 FROM notifications WHERE account_id = @a)
                """, new { a = $"L-{i}" }),
            serve, PerDrop, PollInterval, $"drop {i} ({FileName(i)}) to be debited with its notice queued");
        return latency.Elapsed.TotalSeconds;
    }

    /// <summary>The synthetic catalogue and <paramref name="count"/> prepaid accounts L-0… with one subscriber and a wallet of <see cref="Credit"/> each.</summary>
    private static void Setup(Npgsql.NpgsqlConnection conn, int count)
    {
        var files = SyntheticCatalog.Files(3);
        CatalogStore.Save(conn, SyntheticCatalog.Label(3), CatalogSource.Native, CatalogChecksum.Of(files), Instant.FromUtc(2026, 1, 1, 0, 0),
            files, new Dictionary<string, string>(), "bench");
        conn.Execute("""
            INSERT INTO accounts (id, name, currency, time_zone, payment_type, bill_cycle_day)
            SELECT 'L-' || i, 'Latency ' || i, 'GBP', 'Europe/London', 'prepaid', 1 FROM generate_series(0, @n - 1) i;
            INSERT INTO subscriptions (account_id, msisdn, plan_id, active_from)
            SELECT 'L-' || i, '4477' || lpad(i::text, 8, '0'), @plan, '2026-01-01T00:00:00Z' FROM generate_series(0, @n - 1) i;
            INSERT INTO msisdn_partitions (msisdn, account_id) SELECT msisdn, account_id FROM subscriptions;
            INSERT INTO wallets (account_id, currency, balance) SELECT id, currency, @credit FROM accounts;
            INSERT INTO wallet_ledger (account_id, kind, amount, at, msisdn, reference, note, balance_after)
            SELECT a.id, 'topup', @credit, '2026-01-01T00:00:00Z', s.msisdn, 'latency-' || a.id, 'bench top-up', @credit
            FROM accounts a JOIN subscriptions s ON s.account_id = a.id;
            """, new { n = count, plan = SyntheticCatalog.PlanId, credit = Credit });
    }

    private static Process StartServe(IReadOnlyList<string> billing, string url, string connectionString, string config, string folder)
    {
        var psi = new ProcessStartInfo(billing[0])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[.. billing.Skip(1), "serve", "--urls", url, "--workers", "2"])
        {
            psi.ArgumentList.Add(arg);
        }

        // The connection string travels in the environment, never on a command line others can read.
        psi.Environment["BILLING_DB"] = connectionString;
        psi.Environment["BILLING_CONFIG"] = config;
        var log = new StreamWriter(Path.Combine(folder, "serve.log")) { AutoFlush = true };
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Exited += (_, _) => log.Dispose();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // the process has ended: nothing more to keep
            }
        }
    }

    private static void WaitHealthy(Process serve, string url)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        PollUntil(
            () =>
            {
                try
                {
                    using var response = http.GetAsync(new Uri("/health", UriKind.Relative)).GetAwaiter().GetResult();
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening yet
                }
            },
            serve, TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(200), "billing serve to answer /health");
    }

    /// <summary>
    /// Asks <paramref name="done"/> every <paramref name="interval"/> until it says yes; fails when <paramref name="serve"/>
    /// ends first or <paramref name="limit"/> passes. The interval bounds the resolution of a figure timed with it.
    /// </summary>
    private static void PollUntil(Func<bool> done, Process serve, TimeSpan limit, TimeSpan interval, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (serve.HasExited)
            {
                throw new InvalidOperationException($"billing serve ended (exit {serve.ExitCode}) while waiting for {what}; see serve.log in the bench folder");
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"waited {limit.TotalMinutes:0} minutes for {what}");
            }

            Thread.Sleep(interval);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
