using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Billing.Catalog;
using Billing.Catalog.Native;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Benchmarks;

/// <summary>What to run: <see cref="Accounts"/> postpaid accounts with <see cref="Records"/> rated charges each, batches run by <see cref="Workers"/> at once, <see cref="Repeat"/> rounds.</summary>
/// <param name="ReuseData">Keep the accounts and charges a run of the same size left in the database instead of generating them again.</param>
/// <param name="PeopleNames">Name the accounts after people (<see cref="BillRunBenchmark.FirstNames"/>, <see cref="BillRunBenchmark.LastNames"/>) instead of "Bench N".</param>
public sealed record BillRunBenchSettings(int Accounts, int Records, int Workers, int Repeat, int BatchSize = 1000, bool ReuseData = false, bool PeopleNames = false);

/// <summary>What storing the accounts, the usage and its charges took.</summary>
public sealed record BillRunGeneration(long Subscriptions, long Charges, decimal Seconds, decimal ChargesPerSecond);

/// <summary>
/// One timed phase of the bill run: its time, accounts/s, the ratio to the database floor of the same
/// round, the peaks of memory while it ran, what it allocated per account and the collections it caused,
/// and the CPU seconds it took in this process and in PostgreSQL.
/// </summary>
public sealed record BillRunPhase(decimal Seconds, decimal AccountsPerSecond, decimal RatioToFloor, decimal PeakWorkingSetMegabytes, decimal PeakGcHeapMegabytes,
    long AllocatedBytesPerAccount, int Gen0Collections, int Gen2Collections, CpuSeconds Cpu);

/// <summary>
/// The database floor of a round: reading the cycle's charges (the columns the bill run sums) by
/// binary COPY out, and writing as many invoice lines as the run produced by binary COPY into a
/// table shaped like invoice_lines, no calculation; accounts/s over both times.
/// </summary>
public sealed record BillRunFloor(long Charges, long Lines, decimal ReadSeconds, decimal WriteSeconds, decimal AccountsPerSecond);

/// <summary>One round: plan + draft, approve, what they produced, and the floor measured right after.</summary>
public sealed record BillRunRound(BillRunPhase PlanAndDraft, BillRunPhase Approve, BillRunFloor Floor, long Invoices, long Lines, long UsageLines);

/// <summary>Every round of the benchmark; the best and the median of each phase are what a noisy machine is read by.</summary>
public sealed record BillRunBenchResult(BillRunBenchSettings Settings, BillRunGeneration Generation, IReadOnlyList<BillRunRound> Rounds)
{
    public BillRunPhase BestPlanAndDraft => Rounds.Select(r => r.PlanAndDraft).MaxBy(p => p.AccountsPerSecond)!;

    public BillRunPhase BestApprove => Rounds.Select(r => r.Approve).MaxBy(p => p.AccountsPerSecond)!;

    public decimal MedianPlanAndDraft => BenchStats.Median(Rounds.Select(r => r.PlanAndDraft.AccountsPerSecond));

    public decimal MedianApprove => BenchStats.Median(Rounds.Select(r => r.Approve.AccountsPerSecond));

    public decimal MedianPlanAndDraftRatio => BenchStats.Median(Rounds.Select(r => r.PlanAndDraft.RatioToFloor), 3);

    public decimal MedianApproveRatio => BenchStats.Median(Rounds.Select(r => r.Approve.RatioToFloor), 3);

    public decimal MedianFloor => BenchStats.Median(Rounds.Select(r => r.Floor.AccountsPerSecond));

    /// <summary>The whole bill run (plan, draft, approve) of the fastest round, in seconds.</summary>
    public decimal BestTotalSeconds => Rounds.Min(r => r.PlanAndDraft.Seconds + r.Approve.Seconds);

    public decimal PeakWorkingSetMegabytes => Rounds.Max(r => Math.Max(r.PlanAndDraft.PeakWorkingSetMegabytes, r.Approve.PeakWorkingSetMegabytes));

    public decimal PeakGcHeapMegabytes => Rounds.Max(r => Math.Max(r.PlanAndDraft.PeakGcHeapMegabytes, r.Approve.PeakGcHeapMegabytes));
}

/// <summary>
/// billing bench bill-run: N postpaid accounts on cycle day 1 (a quarter of them with a second
/// number), a catalogue with a monthly fee in advance, UK VAT (taxes.csv) and a 10 % plan discount on
/// the fee, and R usage records per account in November 2026 rated by the real engine — 70 % calls
/// (national, mobile, and two international destinations each account favours), 20 % SMS, 10 % data,
/// allowances drawn in event-time order — stored by binary COPY in time order as a file feed would
/// leave them (usage, its charges, archived file manifests). Then the real <see cref="BillRunJob"/>
/// closes the cycle ending 2026-12-01: plan and draft, then approve, each batch by one of W workers
/// as Hangfire's would; and the database floor right after. Checks that every account got one issued
/// invoice carrying every charge, and fails if not.
/// </summary>
public static class BillRunBenchmark
{
    /// <summary>The issue's target: each phase at least this share of the database floor.</summary>
    public const decimal TargetRatio = 0.5m;

    public static readonly LocalDate RunDate = new(2026, 12, 1);

    private const int Prefixes = 500;
    private const int RecordsPerFile = 100_000;
    private static readonly LocalDate CycleStart = new(2026, 11, 1);

    /// <summary>
    /// First names for <see cref="BillRunBenchSettings.PeopleNames"/>: several languages, with their letters (a real run's
    /// names differ in the glyphs their invoices embed). Account i is named FirstNames[i % 24] and LastNames[(i / 24 + 7i) % 24]:
    /// every pair once in each 576 accounts.
    /// </summary>
    public static readonly string[] FirstNames =
    [
        "John", "Mary", "Zoë", "João", "Łucja", "Anna", "Peter", "Éva", "Kofi", "Olga", "Ahmed", "Fatima",
        "Chris", "Yuki", "Quentin", "Søren", "Małgorzata", "Björn", "Inés", "François", "Şebnem", "Agnieszka", "Siobhán", "Wojciech",
    ];

    /// <summary>Last names for <see cref="BillRunBenchSettings.PeopleNames"/> (<see cref="FirstNames"/>).</summary>
    public static readonly string[] LastNames =
    [
        "Smith", "Müller", "Nowak", "Silva", "Öztürk", "Jones", "Kowalski", "Brown", "García", "Taylor", "Wilson", "Zimmermann",
        "O'Brien", "Jackson", "Xu", "Vogel", "Wiśniewska", "Dvořák", "Nguyễn", "Lefèvre", "Gonçalves", "Ólafsson", "Strauß", "Kuznetsova",
    ];

    /// <summary>After the cycle's local midnight everywhere: the run finds every cycle ended.</summary>
    private static readonly Instant RunAt = Instant.FromUtc(2026, 12, 2, 6, 0);

    public static BillRunBenchResult Run(BillingDatabase db, BillRunBenchSettings s, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(progress);
        var generation = s.ReuseData ? Reused(db, s) : null;
        if (generation is null)
        {
            progress($"Storing {s.Accounts:N0} accounts and {(long)s.Accounts * s.Records:N0} usage records with their charges …");
            generation = Generate(db, s, progress);
        }
        else
        {
            progress($"Reusing the {s.Accounts:N0} accounts and {generation.Charges:N0} charges in the database.");
        }

        var rounds = new List<BillRunRound>();
        for (var round = 1; round <= s.Repeat; round++)
        {
            progress($"Bill run of the cycles ending {RunDate:uuuu-MM-dd}{(s.Repeat > 1 ? $" (round {round} of {s.Repeat})" : "")} …");
            rounds.Add(Round(db, s));
        }

        return new BillRunBenchResult(s, generation, rounds);
    }

    /// <summary>The catalogue: the synthetic plan with a monthly fee in advance, UK VAT and a 10 % discount on the fee.</summary>
    public static IReadOnlyDictionary<string, string> CatalogFiles() => new Dictionary<string, string>(SyntheticCatalog.Files(Prefixes), StringComparer.Ordinal)
    {
        [NativeCatalogReader.RecurringFeesFile] = $"plan,fee,description,amount,tax_category,billing\n{SyntheticCatalog.PlanId},monthly,Monthly plan fee,20.00,standard,advance\n",
        [NativeCatalogReader.TaxesFile] = "tax_region,tax_category,rate,name,effective_from\nUK,standard,20%,VAT 20%,\n",
        [NativeCatalogReader.DiscountsFile] = $"discount,description,plan,account,kind,value,applies_to\nloyalty,Loyalty discount 10%,{SyntheticCatalog.PlanId},,percentage,10%,recurring\n",
    };

    /// <summary>The data an earlier run of the same size left, if the database holds exactly that (nothing was generated now: 0 s).</summary>
    private static BillRunGeneration? Reused(BillingDatabase db, BillRunBenchSettings s)
    {
        using var conn = db.Open();
        var (accounts, subscriptions, charges, usage) = conn.QuerySingle<(long, long, long, long)>("""
            SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM subscriptions), (SELECT count(*) FROM rated_charges), (SELECT count(*) FROM usage)
            """, commandTimeout: 0);
        var total = (long)s.Accounts * s.Records;
        var ours = conn.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM catalog_versions WHERE label = 'bench-bill-run')")
            && conn.ExecuteScalar<bool>("SELECT (name LIKE 'Bench %') <> @people FROM accounts WHERE id = 'BR-0000001'", new { people = s.PeopleNames });
        return ours && accounts == s.Accounts && charges == total && usage == total ? new BillRunGeneration(subscriptions, charges, 0m, 0m) : null;
    }

    private static BillRunGeneration Generate(BillingDatabase db, BillRunBenchSettings s, Action<string> progress)
    {
        var sw = Stopwatch.StartNew();
        using var conn = db.Open();
        conn.Execute("""
            TRUNCATE usage, suspense, cdr_files, rated_charges, rating_holds, allowance_balances, rerate_adjustments, msisdn_partitions,
                     accounts, catalog_versions, bill_runs, invoiced_cycles, document_counters RESTART IDENTITY CASCADE
            """);
        var files = CatalogFiles();
        var catalog = NativeCatalogReader.Load(files, "bench-bill-run").Catalog ?? throw new InvalidOperationException("bench: the bill-run catalogue does not read");
        var version = CatalogStore.Save(conn, "bench-bill-run", CatalogSource.Native, CatalogChecksum.Of(files), Instant.FromUtc(2026, 1, 1, 0, 0),
            files, new Dictionary<string, string>(), "bench").Id;
        conn.Execute("""
            INSERT INTO accounts (id, name, currency, time_zone, payment_type, bill_cycle_day, tax_region)
            SELECT 'BR-' || lpad(a::text, 7, '0'),
                   CASE WHEN @people THEN (@first)[1 + a % cardinality(@first)] || ' ' || (@last)[1 + (a / cardinality(@first) + 7 * a) % cardinality(@last)] ELSE 'Bench ' || a END,
                   'GBP', 'Europe/London', 'postpaid', 1, 'UK' FROM generate_series(1, @n) a;
            INSERT INTO subscriptions (account_id, msisdn, plan_id, active_from)
            SELECT 'BR-' || lpad(a::text, 7, '0'), '4477' || lpad(((a - 1) * 2 + k)::text, 8, '0'), @plan, '2026-01-01T00:00:00Z'
            FROM generate_series(1, @n) a, generate_series(0, 1) k WHERE k = 0 OR a % 4 = 0 ORDER BY a, k;
            INSERT INTO msisdn_partitions (msisdn, account_id) SELECT msisdn, account_id FROM subscriptions;
            """, new { n = s.Accounts, plan = SyntheticCatalog.PlanId, people = s.PeopleNames, first = FirstNames, last = LastNames }, commandTimeout: 0);
        var subscriptions = conn.Query<(long Id, string Account, string Msisdn)>("SELECT id, account_id, msisdn FROM subscriptions ORDER BY account_id, msisdn", commandTimeout: 0)
            .GroupBy(x => x.Account, StringComparer.Ordinal)
            .Select(g => g.Select(x => (x.Id, x.Account, x.Msisdn)).ToArray())
            .ToArray();

        var total = (long)s.Accounts * s.Records;
        var fileIds = new List<long>();
        for (long first = 0; first < total; first += RecordsPerFile)
        {
            var count = Math.Min(RecordsPerFile, total - first);
            fileIds.Add(conn.ExecuteScalar<long>("""
                INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status, read_count, accepted, finished_at)
                VALUES ('bench', @name, @name, 0, 'canonical', 'archived', @count, @count, now()) RETURNING id
                """, new { name = $"bench-{fileIds.Count + 1:00000}.csv", count }));
        }

        Store(db, s, catalog, version, subscriptions, fileIds, progress);
        var (min, max, stored) = conn.QuerySingle<(long, long, long)>("SELECT min(id), max(id), count(*) FROM usage", commandTimeout: 0);
        if ((min, max, stored) != (1, total, total))
        {
            throw new InvalidOperationException($"bench: usage ids {min}–{max} for {stored} rows, not 1–{total}: the charges name the wrong records");
        }

        progress("VACUUM ANALYZE and CHECKPOINT, as autovacuum would have left a rated month …");
        conn.Execute("VACUUM ANALYZE usage, rated_charges, subscriptions, accounts, cdr_files, msisdn_partitions", commandTimeout: 0);
        conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text, commandTimeout: 0);
        sw.Stop();
        return new BillRunGeneration(subscriptions.Sum(a => a.Length), total, Seconds(sw), Math.Round(total / (decimal)sw.Elapsed.TotalSeconds, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// Rates R events per account with the real engine, slot by slot through the month (every account
    /// one event per slot, so the rows lie in time order), and streams the usage and its charges by binary
    /// COPY on two connections at once. The usage ids are the server's, 1, 2, … in COPY order.
    /// </summary>
    private static void Store(BillingDatabase db, BillRunBenchSettings s, Core.Catalog.TariffCatalog catalog, int version,
        (long Id, string Account, string Msisdn)[][] subscriptions, IReadOnlyList<long> fileIds, Action<string> progress)
    {
        var rater = new Rater(catalog);
        var allowances = subscriptions.Select(a => a.Select(_ => rater.OpeningAllowances(SyntheticCatalog.PlanId)).ToArray()).ToArray();
        var international = catalog.Destinations.Entries.Where(e => e.Group.StartsWith("INTL_", StringComparison.Ordinal))
            .Select(e => e.Prefix).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var random = new SplitMix64(0xB111_2026UL);
        var start = Instant.FromUtc(CycleStart.Year, CycleStart.Month, CycleStart.Day, 0, 0);
        var slot = Duration.FromTicks((Instant.FromUtc(2026, 12, 1, 0, 0) - start).BclCompatibleTicks / s.Records);
        var digits = new char[12];

        string Number(string prefix)
        {
            prefix.CopyTo(digits);
            for (var d = prefix.Length; d < digits.Length; d++)
            {
                digits[d] = (char)('0' + random.Below(10));
            }

            return new string(digits);
        }

        using var usageConn = db.Open();
        using var chargeConn = db.Open();
        using var usage = usageConn.BeginBinaryImport("""
            COPY usage (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, cell_id, file_id, line_no) FROM STDIN (FORMAT BINARY)
            """);
        using var charges = Billing.Storage.BinaryCopyWriter.Begin(chargeConn, Billing.Storage.Rating.ChargeStore.CopyCommand);
        long index = 0;
        for (var r = 0; r < s.Records; r++)
        {
            var slotStart = start + (slot * r);
            for (var a = 0; a < subscriptions.Length; a++)
            {
                var which = r % subscriptions[a].Length;
                var (subscription, account, msisdn) = subscriptions[a][which];
                var at = slotStart + Duration.FromTicks((long)random.Below((ulong)slot.BclCompatibleTicks));
                var kind = random.Below(100);
                RatingRequest request;
                if (kind < 70)
                {
                    var where = random.Below(100);
                    var destination = where < 55 ? Number("4420") : where < 85 ? Number("447") : Number(international[((a * 7) + ((int)(where % 2) * 13)) % international.Length]);
                    var seconds = random.Below(10) switch
                    {
                        0 => 1 + (long)random.Below(1800),
                        < 4 => 1 + (long)random.Below(600),
                        _ => 1 + (long)random.Below(180),
                    };
                    request = new RatingRequest(ServiceType.Voice, destination, at, seconds);
                }
                else if (kind < 90)
                {
                    request = new RatingRequest(ServiceType.Sms, Number("447"), at, 1);
                }
                else
                {
                    request = new RatingRequest(ServiceType.Data, null, at, 1 + (long)random.Below(20UL * 1024 * 1024));
                }

                var charge = rater.Rate(SyntheticCatalog.PlanId, request, allowances[a][which]).Charge
                    ?? throw new InvalidOperationException($"bench: the synthetic catalogue does not price {request}");
                index++;
                usage.StartRow();
                usage.Write("bench", NpgsqlDbType.Text);
                usage.Write(index.ToString("0000000000", CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                usage.Write((short)request.Service, NpgsqlDbType.Smallint);
                usage.Write(msisdn, NpgsqlDbType.Text);
                Nullable(usage, request.Destination);
                usage.Write(at, NpgsqlDbType.TimestampTz);
                usage.Write(request.Service == ServiceType.Voice ? request.Quantity : 0L, NpgsqlDbType.Bigint);
                usage.Write(request.Service == ServiceType.Data ? request.Quantity : 0L, NpgsqlDbType.Bigint);
                usage.WriteNull();
                usage.Write(fileIds[(int)((index - 1) / RecordsPerFile)], NpgsqlDbType.Bigint);
                usage.Write(((index - 1) % RecordsPerFile) + 1, NpgsqlDbType.Bigint);

                Billing.Storage.Rating.ChargeStore.WriteRow(charges, index, subscription, account, CycleStart, at, version, charge, request.Service, request.Destination, late: false);
                if (index % 1_000_000 == 0)
                {
                    progress($"  {index:N0} stored …");
                }
            }
        }

        usage.Complete();
        charges.Complete();
    }

    private static void Nullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    /// <summary>Back to nothing invoiced, the bill run timed phase by phase, checked, then the database floor.</summary>
    private static BillRunRound Round(BillingDatabase db, BillRunBenchSettings s)
    {
        using (var conn = db.Open())
        {
            conn.Execute("TRUNCATE bill_runs, invoices, invoiced_cycles, document_counters RESTART IDENTITY CASCADE");
            conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text, commandTimeout: 0);
        }

        var job = new BillRunJob(db, new CatalogCache(), new InvoicingOptions { BatchSize = s.BatchSize }, new Billing.Core.Cycles.FixedClock(RunAt));
        var runId = 0L;
        var draft = PhaseMeasure.Of(db, () =>
        {
            var planned = job.Plan(RunDate, null, "bench");
            InWorkers(planned.Batches.Select(b => b.BatchNo), s.Workers, b => job.DraftBatch(planned.Run.Id, b));
            runId = planned.Run.Id;
        });
        var approve = PhaseMeasure.Of(db, () =>
        {
            using var conn = db.Open();
            InWorkers(Billing.Storage.Invoicing.BillRunStore.BatchNumbers(conn, runId), s.Workers, b => job.ApproveBatch(runId, b));
        });

        using var check = db.Open();
        var c = check.QuerySingle<(long Issued, long Lines, long UsageLines, long Carried, decimal Billed, long Charges, decimal Rated)>("""
            SELECT (SELECT count(*) FROM invoices WHERE status = 'issued'),
                   (SELECT count(*) FROM invoice_lines),
                   (SELECT count(*) FROM invoice_lines WHERE kind = 'usage'),
                   (SELECT coalesce(sum(charge_count), 0)::bigint FROM invoice_lines WHERE kind = 'usage'),
                   (SELECT coalesce(sum(exact_amount), 0) FROM invoice_lines WHERE kind = 'usage'),
                   (SELECT count(*) FROM rated_charges),
                   (SELECT coalesce(sum(amount), 0) FROM rated_charges)
            """, commandTimeout: 0);
        if (c.Issued != s.Accounts || c.Carried != c.Charges || c.Billed != c.Rated)
        {
            throw new InvalidOperationException(
                $"bench: {c.Issued} invoices issued for {s.Accounts} accounts; usage lines carry {c.Carried} charges ({c.Billed}) of {c.Charges} ({c.Rated})");
        }

        var floor = Floor(db.DataSource, s.Workers, s.Accounts);
        BillRunPhase Phase(PhaseMeasure m) => new(
            m.Seconds,
            Math.Round(s.Accounts / m.Seconds, MidpointRounding.AwayFromZero),
            Math.Round(s.Accounts / m.Seconds / floor.AccountsPerSecond, 3, MidpointRounding.AwayFromZero),
            Megabytes(m.PeakWorkingSet),
            Megabytes(m.PeakGcHeap),
            m.Allocated / s.Accounts,
            m.Gen0,
            m.Gen2,
            m.Cpu);
        return new BillRunRound(Phase(draft), Phase(approve), floor, c.Issued, c.Lines, c.UsageLines);
    }

    /// <summary>The batches taken one at a time by <paramref name="workers"/> threads, as Hangfire workers take queued jobs.</summary>
    private static void InWorkers(IEnumerable<int> batches, int workers, Action<int> run)
    {
        var queue = new ConcurrentQueue<int>(batches);
        var threads = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(() =>
        {
            while (queue.TryDequeue(out var batch))
            {
                run(batch);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(threads);
    }

    /// <summary>
    /// On <paramref name="connections"/> connections at once, each a share of the table's pages: a binary
    /// COPY out of the cycle's charges (the columns the bill run sums), then a binary COPY into a fresh
    /// table shaped like invoice_lines (same key and index) of the lines the run produced, taken out
    /// beforehand. No lookup, no calculation, no invoice or tax rows.
    /// </summary>
    private static BillRunFloor Floor(NpgsqlDataSource ds, int connections, long accounts)
    {
        long pages, minInvoice, maxInvoice, lines;
        using (var conn = ds.OpenConnection())
        {
            pages = conn.ExecuteScalar<long>("SELECT pg_relation_size('rated_charges') / current_setting('block_size')::int");
            (minInvoice, maxInvoice, lines) = conn.QuerySingle<(long, long, long)>("SELECT coalesce(min(invoice_id), 0), coalesce(max(invoice_id), -1), count(*) FROM invoice_lines");
            conn.Execute("DROP TABLE IF EXISTS bench_invoice_lines_floor; CREATE TABLE bench_invoice_lines_floor (LIKE invoice_lines INCLUDING ALL);");
        }

        try
        {
            var pageShare = (pages / connections) + 1;
            var invoiceShare = ((maxInvoice - minInvoice) / connections) + 1;
            var payload = new List<byte[]>[connections];
            Parallel.For(0, connections, part =>
            {
                using var conn = ds.OpenConnection();
                var from = minInvoice + (part * invoiceShare);
                payload[part] = FloorCopy.Pieces(conn, $"COPY (SELECT * FROM invoice_lines WHERE invoice_id >= {from} AND invoice_id < {from + invoiceShare}) TO STDOUT (FORMAT BINARY)");
            });
            using (var conn = ds.OpenConnection())
            {
                conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text, commandTimeout: 0);
            }

            var charges = new long[connections];
            var read = Stopwatch.StartNew();
            Parallel.For(0, connections, new ParallelOptions { MaxDegreeOfParallelism = connections }, part =>
            {
                using var conn = ds.OpenConnection();
                var from = part * pageShare;
                using var raw = conn.BeginRawBinaryCopy($"""
                    COPY (SELECT account_id, subscription_id, plan_id, service, destination_group, currency, cycle_start, quantity, allowance_used, amount, late
                          FROM rated_charges WHERE ctid >= '({from},0)'::tid AND ctid < '({from + pageShare},0)'::tid AND cycle_start = '{CycleStart:uuuu-MM-dd}')
                    TO STDOUT (FORMAT BINARY)
                    """);
                var counter = new CountingStream();
                raw.CopyTo(counter);
                charges[part] = counter.Bytes;
            });
            read.Stop();

            var write = FloorCopy.Write(ds, "bench_invoice_lines_floor", payload);

            long copied, cycleCharges;
            using (var conn = ds.OpenConnection())
            {
                copied = conn.ExecuteScalar<long>("SELECT count(*) FROM bench_invoice_lines_floor");
                cycleCharges = conn.ExecuteScalar<long>($"SELECT count(*) FROM rated_charges WHERE cycle_start = '{CycleStart:uuuu-MM-dd}'", commandTimeout: 0);
            }

            if (copied != lines || charges.Any(b => b == 0))
            {
                throw new InvalidOperationException($"bench: the floor wrote {copied} lines, not {lines}, or a connection read nothing");
            }

            return new BillRunFloor(cycleCharges, lines, Seconds(read), Seconds(write),
                Math.Round(accounts / (decimal)(read.Elapsed + write).TotalSeconds, MidpointRounding.AwayFromZero));
        }
        finally
        {
            using var conn = ds.OpenConnection();
            conn.Execute("DROP TABLE IF EXISTS bench_invoice_lines_floor");
        }
    }

    private static decimal Seconds(Stopwatch sw) => Seconds(sw.Elapsed);

    private static decimal Seconds(TimeSpan t) => Math.Round((decimal)t.TotalSeconds, 3, MidpointRounding.AwayFromZero);

    private static decimal Megabytes(long bytes) => Math.Round(bytes / 1048576m, 1, MidpointRounding.AwayFromZero);

    /// <summary>A sink that only counts what it is given (the floor reads, and throws away).</summary>
    private sealed class CountingStream : Stream
    {
        public long Bytes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Bytes;

        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Bytes += count;
    }
}
