using System.Diagnostics;
using System.Globalization;
using Billing.Catalog;
using Billing.Core.Usage;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Benchmarks;

/// <summary>What to run: <see cref="Rows"/> usage records of <see cref="Subscribers"/> subscribers, <see cref="Repeat"/> rounds of the two runs.</summary>
public sealed record RatingBenchSettings(int Rows, int Subscribers, int Workers, int Prefixes, decimal PrepaidShare, decimal TopUp, int Repeat);

/// <summary>One timed rating of all the usage from nothing rated, with what it did and the checks that it did it right.</summary>
public sealed record RatingRunFigures
{
    public decimal PrepaidShare { get; init; }
    public long RatedRecords { get; init; }
    public long HeldRecords { get; init; }
    public decimal Seconds { get; init; }
    public decimal RecordsPerSecond { get; init; }
    public decimal PeakWorkingSetMegabytes { get; init; }
    public decimal EngineEventsPerSecondOneCore { get; init; }
    public long Wallets { get; init; }
    public long WalletDebits { get; init; }
    public long OverdraftRecords { get; init; }
    public long Notifications { get; init; }
    public long WalletsBarred { get; init; }
    public long LedgerRows { get; init; }
    public decimal PrepaidCharges { get; init; }
    public decimal Debited { get; init; }
    public decimal Overdrawn { get; init; }

    /// <summary>CPU seconds of this process and of PostgreSQL during the timed run: on two shared cores, what says whether a change saved work.</summary>
    public CpuSeconds? Cpu { get; init; }

    /// <summary>Bytes this process allocated during the timed run, and its gen-0 and gen-2 collections.</summary>
    public long AllocatedBytes { get; init; }

    public int Gen0Collections { get; init; }

    public int Gen2Collections { get; init; }
}

/// <summary>What reading the usage and writing its charges cost with no rating in between: the write alone is a ceiling for bulk rating here.</summary>
public sealed record FloorFigures(long Rows, decimal ReadSeconds, decimal WriteSeconds, decimal ReadRowsPerSecond, decimal WriteRowsPerSecond, decimal RecordsPerSecond);

/// <summary>One round: the usage rated with every account postpaid, then with a share prepaid, then the database floor timed.</summary>
public sealed record RatingRound(RatingRunFigures Postpaid, RatingRunFigures Prepaid, FloorFigures Floor)
{
    public decimal PrepaidPercent => RatingBenchmark.Percent(Prepaid, Postpaid);

    /// <summary>The all-postpaid rate as a share of this round's floor (read then write; the throughput issue's measure), to three decimals.</summary>
    public decimal PostpaidRatio => Floor.RecordsPerSecond == 0m ? 0m : Math.Round(Postpaid.RecordsPerSecond / Floor.RecordsPerSecond, 3, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Every round, each with the database floor timed right after it (the floor moves by a tenth from one timing to the next
/// on this machine: one timing for all rounds made every ratio hang on it); the best run of each kind is what is compared.
/// </summary>
public sealed record RatingBenchResult(IReadOnlyList<RatingRound> Rounds)
{
    public RatingRunFigures BestPostpaid => Rounds.Select(r => r.Postpaid).MaxBy(r => r.RecordsPerSecond)!;

    public RatingRunFigures BestPrepaid => Rounds.Select(r => r.Prepaid).MaxBy(r => r.RecordsPerSecond)!;

    public decimal PrepaidPercent => RatingBenchmark.Percent(BestPrepaid, BestPostpaid);

    /// <summary>The median of the rounds' floors (by read-then-write rate; the lower middle one of an even number).</summary>
    public FloorFigures Floor => Rounds.Select(r => r.Floor).OrderBy(f => f.RecordsPerSecond).ElementAt((Rounds.Count - 1) / 2);

    /// <summary>The all-postpaid runs' median ratio to their rounds' floors.</summary>
    public decimal MedianPostpaidRatio => BenchStats.Median(Rounds.Select(r => r.PostpaidRatio), 3);

    /// <summary>The highest of the rounds' all-postpaid ratios to their floors.</summary>
    public decimal BestPostpaidRatio => Rounds.Max(r => r.PostpaidRatio);
}

/// <summary>
/// billing bench rate: N stored usage records of S subscribers, priced by the synthetic catalogue
/// (5,000 prefixes, 3 bands, allowances), rated by the real job against PostgreSQL twice on the
/// same usage — every account postpaid, then a share of them prepaid with a topped-up wallet —
/// and the pure engine alone on one core. Checks the prepaid run's wallets against their ledgers
/// and its charges against the debits and overdraft, and fails if they disagree.
/// </summary>
public static class RatingBenchmark
{
    /// <summary>What the prepaid run should keep of the all-postpaid rate (the prepaid issue's target).</summary>
    public const int TargetPercent = 70;

    /// <summary>What all-postpaid rating should reach of the database floor (read the usage, then write the same charges).</summary>
    public const decimal TargetRatio = 0.6m;

    /// <summary>Top-up per usage record a subscriber has: the synthetic usage costs about 3.00 a record (heavy-tailed: international calls), so about a third of wallets reach zero.</summary>
    public const decimal TopUpPerRecord = 3.25m;

    /// <summary>When the bench's top-ups were paid: before all the synthetic usage (October–December 2026).</summary>
    public static readonly Instant TopUpAt = Instant.FromUtc(2026, 1, 1, 0, 0);

    /// <summary>Stores the subscribers, the catalogue and the usage, then times the rounds and the database floor; <paramref name="progress"/> hears each step.</summary>
    public static RatingBenchResult Run(BillingDatabase db, RatingBenchSettings s, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(progress);
        using (var conn = db.Open())
        {
            Setup(conn, s.Rows, s.Subscribers, s.Prefixes);

            // JIT and Dapper's per-query code for both paths, so neither timed run pays for them.
            Prepare(conn, s.PrepaidShare, s.TopUp);
            var warm = Math.Min(s.Rows, 10_000);
            new RateUsageJob(db, new CatalogCache()).RateIdRange(1, warm, warm);
        }

        // Alternating, so on a shared machine both kinds of run meet the same noise; the best of each is compared.
        var rounds = new List<RatingRound>();
        for (var round = 1; round <= s.Repeat; round++)
        {
            var counter = s.Repeat > 1 ? $" (round {round} of {s.Repeat})" : "";
            progress($"Rating them with every account postpaid{counter} …");
            var p = Measure(db, s.Rows, s.Workers, s.Prefixes, 0m, s.TopUp);
            progress($"Rating them {ShareLabel(s.PrepaidShare)}{counter} …");
            var q = Measure(db, s.Rows, s.Workers, s.Prefixes, s.PrepaidShare, s.TopUp);
            progress($"Timing the database floor{counter}: reading the usage and writing the same charges by plain COPY, no rating …");
            rounds.Add(new RatingRound(p, q, DatabaseFloor(db.DataSource, s.Workers)));
        }

        return new RatingBenchResult(rounds);
    }

    /// <summary>The default top-up: <see cref="TopUpPerRecord"/> per usage record a subscriber has on average (65.00 for 20).</summary>
    public static decimal DefaultTopUp(int rows, int subscribers) =>
        Math.Max(0.01m, Math.Round(TopUpPerRecord * rows / subscribers, 2, MidpointRounding.AwayFromZero));

    /// <summary>The prepaid run's rate as a percentage of the all-postpaid one, to one decimal.</summary>
    public static decimal Percent(RatingRunFigures prepaid, RatingRunFigures postpaid)
    {
        ArgumentNullException.ThrowIfNull(prepaid);
        ArgumentNullException.ThrowIfNull(postpaid);
        return postpaid.RecordsPerSecond == 0m ? 0m : Math.Round(100m * prepaid.RecordsPerSecond / postpaid.RecordsPerSecond, 1, MidpointRounding.AwayFromZero);
    }

    /// <summary>"half prepaid (50 %)", "prepaid (25 %)".</summary>
    public static string ShareLabel(decimal share) => share == 0.5m
        ? "half prepaid (50 %)"
        : $"prepaid ({(share * 100m).ToString("0.#", CultureInfo.InvariantCulture)} %)";

    private static RatingRunFigures Measure(BillingDatabase db, int rows, int workers, int prefixes, decimal share, decimal credit)
    {
        // The engine alone first: on a shared VM it shows how fast the CPU was around this run.
        var engine = EngineBenchmark.Run(rows, prefixes);
        using (var conn = db.Open())
        {
            Prepare(conn, share, credit);
        }

        var results = new RatingRunResult[workers];
        var m = PhaseMeasure.Of(db, () => Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
            w => results[w] = new RateUsageJob(db, new CatalogCache()).RateAll(RateUsageJob.DefaultRangeSize)));
        var held = results.Sum(r => r.Held);
        var debits = results.Sum(r => r.WalletDebits);
        var overdrafts = results.Sum(r => r.Overdrafts);
        var notifications = results.Sum(r => r.Notifications);

        using var check = db.Open();
        var stored = check.ExecuteScalar<long>("SELECT count(*) FROM rated_charges");
        if (stored + held != rows)
        {
            throw new InvalidOperationException($"bench: {rows} usage records but {stored} charges and {held} holds");
        }

        var wrong = WalletStore.Check(check);
        if (wrong.Count > 0)
        {
            throw new InvalidOperationException($"bench: {wrong.Count} wallet(s) whose balance is not the sum of its ledger, e.g. {wrong[0].AccountId}: balance {wrong[0].Balance}, ledger {wrong[0].LedgerSum}");
        }

        var t = check.QuerySingle<Totals>("""
            SELECT (SELECT count(*) FROM accounts WHERE payment_type = 'prepaid') AS prepaid_accounts,
                   (SELECT count(*) FROM wallets) AS wallets,
                   (SELECT count(*) FROM wallets WHERE barred_since IS NOT NULL) AS barred,
                   (SELECT count(*) FROM wallet_ledger) AS ledger_rows,
                   (SELECT count(*) FROM wallet_ledger WHERE kind = 'usage') AS usage_postings,
                   (SELECT count(*) FROM prepaid_overdraft) AS overdraft_rows,
                   (SELECT count(*) FROM notifications) AS notifications,
                   (SELECT coalesce(sum(amount), 0) FROM wallet_ledger WHERE kind = 'topup') AS topped_up,
                   (SELECT coalesce(sum(r.amount), 0) FROM rated_charges r JOIN accounts a ON a.id = r.account_id WHERE a.payment_type = 'prepaid') AS prepaid_charges,
                   (SELECT coalesce(-sum(amount), 0) FROM wallet_ledger WHERE kind IN ('usage', 'rerate')) AS debited,
                   (SELECT coalesce(sum(amount), 0) FROM prepaid_overdraft) AS overdrawn
            """);
        if (t.Wallets != t.PrepaidAccounts || t.ToppedUp != t.Wallets * credit)
        {
            throw new InvalidOperationException($"bench: {t.PrepaidAccounts} prepaid accounts but {t.Wallets} wallets topped up with {t.ToppedUp} in all");
        }

        if (t.PrepaidCharges != t.Debited + t.Overdrawn)
        {
            throw new InvalidOperationException($"bench: prepaid charges {t.PrepaidCharges} but wallet debits {t.Debited} + overdraft {t.Overdrawn} = {t.Debited + t.Overdrawn}");
        }

        if (t.UsagePostings != debits || t.OverdraftRows != overdrafts || t.Notifications != notifications)
        {
            throw new InvalidOperationException($"bench: the job reported {debits} debits, {overdrafts} overdraft records and {notifications} notifications, the database holds {t.UsagePostings}, {t.OverdraftRows} and {t.Notifications}");
        }

        return new RatingRunFigures
        {
            PrepaidShare = share,
            RatedRecords = stored,
            HeldRecords = held,
            Seconds = m.Seconds,
            RecordsPerSecond = Math.Round(rows / m.Seconds, MidpointRounding.AwayFromZero),
            PeakWorkingSetMegabytes = Math.Round(m.PeakWorkingSet / 1048576m, 1, MidpointRounding.AwayFromZero),
            EngineEventsPerSecondOneCore = engine.EventsPerSecond,
            Wallets = t.Wallets,
            WalletDebits = debits,
            OverdraftRecords = overdrafts,
            Notifications = notifications,
            WalletsBarred = t.Barred,
            LedgerRows = t.LedgerRows,
            PrepaidCharges = t.PrepaidCharges,
            Debited = t.Debited,
            Overdrawn = t.Overdrawn,
            Cpu = m.Cpu,
            AllocatedBytes = m.Allocated,
            Gen0Collections = m.Gen0,
            Gen2Collections = m.Gen2,
        };
    }


    /// <summary>
    /// Times, on <paramref name="connections"/> new connections at once (each a share of the id range): a binary COPY out
    /// of the usage columns rating reads, then a binary COPY into a fresh table shaped like rated_charges (same primary
    /// key and index) of the charges the last run stored, taken out beforehand. Nothing that rating also has to do —
    /// look up subscribers, price, keep balances — is in it. <see cref="FloorFigures.RecordsPerSecond"/> puts read and
    /// write one after the other; rating overlaps them across workers, so only the write rate is a hard ceiling.
    /// </summary>
    private static FloorFigures DatabaseFloor(NpgsqlDataSource ds, int connections)
    {
        long minId, maxId, rows;
        using (var conn = ds.OpenConnection())
        {
            (minId, maxId, rows) = conn.QuerySingle<(long, long, long)>("SELECT coalesce(min(usage_id), 0), coalesce(max(usage_id), -1), count(*) FROM rated_charges");
            conn.Execute("DROP TABLE IF EXISTS bench_charges_floor; CREATE TABLE bench_charges_floor (LIKE rated_charges INCLUDING ALL);");
        }

        try
        {
            var span = ((maxId - minId) / connections) + 1;
            (long From, long To) Share(int part) => (minId + (part * span), minId + ((part + 1) * span));

            // The charges as the server sends them in binary, held in memory in 1 MiB pieces so the timed part only writes.
            var payload = new List<byte[]>[connections];
            Parallel.For(0, connections, part =>
            {
                var (from, to) = Share(part);
                using var conn = ds.OpenConnection();
                payload[part] = FloorCopy.Pieces(conn, $"COPY (SELECT * FROM rated_charges WHERE usage_id >= {from} AND usage_id < {to}) TO STDOUT (FORMAT BINARY)");
            });

            using (var conn = ds.OpenConnection())
            {
                conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text);
            }

            var read = Stopwatch.StartNew();
            Parallel.For(0, connections, new ParallelOptions { MaxDegreeOfParallelism = connections }, part =>
            {
                var (from, to) = Share(part);
                using var conn = ds.OpenConnection();
                using var raw = conn.BeginRawBinaryCopy($"""
                    COPY (SELECT u.id, u.msisdn, u.service, u.destination, u.start_utc, u.duration_s, u.volume_bytes
                          FROM usage u WHERE u.id >= {from} AND u.id < {to}) TO STDOUT (FORMAT BINARY)
                    """);
                raw.CopyTo(Stream.Null);
            });
            read.Stop();

            var write = FloorCopy.Write(ds, "bench_charges_floor", payload);

            using (var conn = ds.OpenConnection())
            {
                var copied = conn.ExecuteScalar<long>("SELECT count(*) FROM bench_charges_floor");
                if (copied != rows)
                {
                    throw new InvalidOperationException($"bench: the floor copied {copied} charges, not {rows}");
                }
            }

            var readSeconds = read.ElapsedTicks / (decimal)Stopwatch.Frequency;
            var writeSeconds = (decimal)write.Ticks / TimeSpan.TicksPerSecond;
            return new FloorFigures(
                rows,
                Math.Round(readSeconds, 3, MidpointRounding.AwayFromZero),
                Math.Round(writeSeconds, 3, MidpointRounding.AwayFromZero),
                Math.Round(rows / readSeconds, MidpointRounding.AwayFromZero),
                Math.Round(rows / writeSeconds, MidpointRounding.AwayFromZero),
                Math.Round(rows / (readSeconds + writeSeconds), MidpointRounding.AwayFromZero));
        }
        finally
        {
            using var conn = ds.OpenConnection();
            conn.Execute("DROP TABLE IF EXISTS bench_charges_floor");
        }
    }

    private sealed record Totals(long PrepaidAccounts, long Wallets, long Barred, long LedgerRows, long UsagePostings, long OverdraftRows, long Notifications, decimal ToppedUp, decimal PrepaidCharges, decimal Debited, decimal Overdrawn);

    /// <summary>
    /// Back to nothing rated, on the same usage: account B-i is prepaid when ⌊(i+1)·share⌋ &gt; ⌊i·share⌋
    /// (0.5: every other one, B-1, B-3, …), each prepaid account with a wallet holding one top-up.
    /// Then VACUUM (hint bits, visibility map), fresh statistics of what is not empty and a CHECKPOINT,
    /// so each timed run starts from the same state.
    /// </summary>
    public static void Prepare(NpgsqlConnection conn, decimal share, decimal credit)
    {
        conn.Execute("""
            TRUNCATE rated_charges, rating_holds, allowance_balances, allowance_purchases, wallet_ledger, prepaid_overdraft, notifications, wallets RESTART IDENTITY;
            UPDATE accounts SET payment_type = CASE WHEN floor((substr(id, 3)::int + 1) * @share) > floor(substr(id, 3)::int * @share) THEN 'prepaid' ELSE 'postpaid' END;
            INSERT INTO wallets (account_id, currency, balance) SELECT id, currency, @credit FROM accounts WHERE payment_type = 'prepaid';
            INSERT INTO wallet_ledger (account_id, kind, amount, at, msisdn, reference, note, balance_after)
            SELECT a.id, 'topup', @credit, @at, s.msisdn, 'bench-' || a.id, 'bench top-up', @credit
            FROM accounts a JOIN subscriptions s ON s.account_id = a.id WHERE a.payment_type = 'prepaid';
            """, new { share, credit, at = TopUpAt });
        // The truncated tables stay without statistics, as in a fresh database (what this bench measured before).
        conn.Execute("VACUUM ANALYZE usage, subscriptions, accounts, wallets, wallet_ledger");
        conn.Execute("CHECKPOINT", commandType: System.Data.CommandType.Text); // one word: Dapper would take it for a procedure
    }

    /// <summary>
    /// Empties the database's usage, accounts and catalogues and stores the bench's: <paramref name="subscribers"/> accounts
    /// B-0 … (postpaid, bill cycle days 1–28), the synthetic catalogue with <paramref name="prefixes"/> prefixes, and
    /// <paramref name="rows"/> usage records of <see cref="SyntheticCatalog.Events"/> spread over the subscribers.
    /// </summary>
    public static void Setup(NpgsqlConnection conn, int rows, int subscribers, int prefixes)
    {
        conn.Execute("TRUNCATE usage, suspense, cdr_files, rated_charges, rating_holds, allowance_balances, subscriptions, msisdn_partitions, accounts, catalog_versions RESTART IDENTITY CASCADE");
        // The catalogue is stored as what it is, a native catalogue's files, and rated through the catalogue cache like any other.
        var files = SyntheticCatalog.Files(prefixes);
        CatalogStore.Save(conn, SyntheticCatalog.Label(prefixes), CatalogSource.Native, CatalogChecksum.Of(files), Instant.FromUtc(2026, 1, 1, 0, 0),
            files, new Dictionary<string, string>(), "bench");
        conn.Execute("""
            INSERT INTO accounts (id, name, currency, time_zone, payment_type, bill_cycle_day)
            SELECT 'B-' || i, 'Bench ' || i, 'GBP', 'Europe/London', 'postpaid', 1 + i % 28 FROM generate_series(0, @n - 1) i;
            INSERT INTO subscriptions (account_id, msisdn, plan_id, active_from)
            SELECT 'B-' || i, '4477' || lpad(i::text, 8, '0'), @plan, '2026-01-01T00:00:00Z' FROM generate_series(0, @n - 1) i;
            INSERT INTO msisdn_partitions (msisdn, account_id) SELECT msisdn, account_id FROM subscriptions; -- as the accounts import keeps it
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
    }
}
