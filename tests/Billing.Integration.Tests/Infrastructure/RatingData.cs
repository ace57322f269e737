using Billing.Catalog;
using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>One usage record to insert directly (E.164 digits, as mediation stores them). Service: 1 voice, 2 sms, 3 data.</summary>
public sealed record UsageSpec(string Key, short Service, string Msisdn, string? Destination, Instant Start, long DurationS = 0, long VolumeBytes = 0)
{
    public static UsageSpec Voice(string key, string msisdn, string destination, Instant start, long seconds) => new(key, 1, msisdn, destination, start, seconds);

    public static UsageSpec Sms(string key, string msisdn, string destination, Instant start) => new(key, 2, msisdn, destination, start);

    public static UsageSpec Data(string key, string msisdn, Instant start, long bytes) => new(key, 3, msisdn, null, start, 0, bytes);
}

/// <summary>A rated_charges row as the tests read it back.</summary>
public sealed record StoredCharge
{
    public long UsageId { get; init; }
    public string RecordKey { get; init; } = "";
    public long SubscriptionId { get; init; }
    public string AccountId { get; init; } = "";
    public LocalDate CycleStart { get; init; }
    public string PlanId { get; init; } = "";
    public int CatalogVersion { get; init; }
    public decimal Amount { get; init; }
    public string? DestinationGroup { get; init; }
    public long BilledQuantity { get; init; }
    public string? AllowanceId { get; init; }
    public long AllowanceUsed { get; init; }
}

/// <summary>Test data for rating: usage written straight into `usage`, the template catalogue stored as a version, accounts.</summary>
public static class RatingData
{
    public static string TemplateCatalog => Path.Combine(Repo.Root, "templates", "catalog");

    /// <summary>Stores templates/catalog as a native version effective from <paramref name="effective"/>; returns its id.</summary>
    public static int SaveTemplateCatalog(NpgsqlConnection conn, Instant effective)
    {
        var folder = TemplateCatalog;
        return CatalogStore.Save(conn, "template-test", CatalogSource.Native, CatalogChecksum.Of(folder), effective,
            CatalogSource.ReadFiles(folder), new Dictionary<string, string>(), "tests").Id;
    }

    /// <summary>Adds (or updates) an account with one subscription period through the real import.</summary>
    public static void AddSubscriber(NpgsqlConnection conn, string accountId, string msisdn, string planId, Instant activeFrom, Instant? activeTo = null,
        string timeZone = "Europe/London", int billCycleDay = 5, PaymentType paymentType = PaymentType.Postpaid)
    {
        var row = new AccountImportLine(1, new Account(accountId, "Customer " + accountId, "", null, "en", Currency.Of("GBP"), timeZone, paymentType, billCycleDay, "UK", ""),
            new Subscription(0, accountId, msisdn, planId, activeFrom, activeTo));
        var result = AccountStore.Import(conn, [row]);
        Assert.Empty(result.Errors);
    }

    /// <summary>Inserts usage rows in the given order (ids ascending) under a fake archived cdr_files row; returns the ids.</summary>
    public static IReadOnlyList<long> InsertUsage(NpgsqlConnection conn, IReadOnlyList<UsageSpec> rows, string source = "test")
    {
        using var tx = conn.BeginTransaction();
        var fileId = conn.ExecuteScalar<long>("""
            INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status, read_count, accepted, finished_at)
            VALUES (@source, @name, @name, 0, 'canonical', 'archived', @n, @n, now())
            RETURNING id
            """, new { source, name = "direct-" + Guid.NewGuid().ToString("N"), n = (long)rows.Count }, tx);
        var ids = conn.Query<long>("""
            INSERT INTO usage (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, cell_id, file_id, line_no)
            SELECT @source, k, s, m, d, t, du, v, NULL, @fileId, n
            FROM unnest(@keys, @services, @msisdns, @destinations, @starts, @durations, @volumes) WITH ORDINALITY AS x(k, s, m, d, t, du, v, n)
            ORDER BY n
            RETURNING id
            """, new
        {
            source,
            fileId,
            keys = rows.Select(r => r.Key).ToArray(),
            services = rows.Select(r => r.Service).ToArray(),
            msisdns = rows.Select(r => r.Msisdn).ToArray(),
            destinations = rows.Select(r => r.Destination).ToArray(),
            starts = rows.Select(r => r.Start).ToArray(),
            durations = rows.Select(r => r.DurationS).ToArray(),
            volumes = rows.Select(r => r.VolumeBytes).ToArray(),
        }, tx).Order().ToList();
        tx.Commit();
        return ids;
    }

    public static IReadOnlyList<StoredCharge> Charges(NpgsqlConnection conn) =>
        conn.Query<StoredCharge>("""
            SELECT r.usage_id, u.record_key, r.subscription_id, r.account_id, r.cycle_start, r.plan_id, r.catalog_version, r.amount,
                   r.destination_group, r.billed_quantity, r.allowance_id, r.allowance_used
            FROM rated_charges r JOIN usage u ON u.id = r.usage_id
            ORDER BY r.start_utc, r.usage_id
            """).AsList();

    public static StoredCharge Charge(NpgsqlConnection conn, string recordKey) =>
        Assert.Single(Charges(conn), c => c.RecordKey == recordKey);

    /// <summary>allowance_balances as (subscription, allowance, cycle) → (granted, used).</summary>
    public static Dictionary<(long Sub, string Allowance, LocalDate Cycle), (long Granted, long Used)> Balances(NpgsqlConnection conn) =>
        conn.Query<(long Sub, string Allowance, LocalDate Cycle, long Granted, long Used)>(
            "SELECT subscription_id, allowance_id, cycle_start, granted, used FROM allowance_balances")
            .ToDictionary(b => (b.Sub, b.Allowance, b.Cycle), b => (b.Granted, b.Used));

    /// <summary>Σ allowance_used of the charges per (subscription, allowance, cycle).</summary>
    public static Dictionary<(long Sub, string Allowance, LocalDate Cycle), long> UsedByCharges(NpgsqlConnection conn) =>
        conn.Query<(long Sub, string Allowance, LocalDate Cycle, long Used)>("""
            SELECT subscription_id, allowance_id, cycle_start, sum(allowance_used)::bigint FROM rated_charges
            WHERE allowance_id IS NOT NULL GROUP BY 1, 2, 3
            """).ToDictionary(b => (b.Sub, b.Allowance, b.Cycle), b => b.Used);

    public static long SubscriptionId(NpgsqlConnection conn, string msisdn, Instant at) =>
        AccountStore.SubscriptionAt(conn, msisdn, at)?.Id ?? throw new InvalidOperationException($"no subscription for {msisdn} at {at}");
}

/// <summary>A migrated database of its own for one test, dropped afterwards.</summary>
public sealed class ScratchDatabase : IDisposable
{
    public ScratchDatabase() => (Db, Name) = TestCluster.CreateDatabase();

    public BillingDatabase Db { get; }

    public string Name { get; }

    public void Dispose()
    {
        Db.Dispose();
        TestCluster.Instance.DropDatabase(Name);
    }
}
