using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;
using static Billing.Integration.Tests.Prepaid.PrepaidData;

namespace Billing.Integration.Tests.Prepaid;

public sealed class WalletConcurrencyTests : IDisposable
{
    private readonly ScratchDatabase _single = new();
    private readonly ScratchDatabase _shared = new();

    public void Dispose()
    {
        _single.Dispose();
        _shared.Dispose();
    }

    [Fact]
    public async Task Two_rating_runs_at_once_debit_every_record_once_with_the_same_result_as_one_run()
    {
        var msisdns = Enumerable.Range(0, 40).Select(i => $"4477009{i:D5}").ToArray();
        var random = new Random(42);
        var usage = new List<UsageSpec>();
        var start = Instant.FromUtc(2026, 11, 2, 6, 0);
        foreach (var m in msisdns)
        {
            for (var k = 0; k < 30; k++)
            {
                usage.Add(Call($"{m}-{k}", m, start + Duration.FromMinutes(random.Next(0, 900)), random.Next(1, 400)));
            }
        }

        usage = [.. usage.OrderBy(_ => random.Next())];
        foreach (var scratch in new[] { _single, _shared })
        {
            using var c = scratch.Db.Open();
            Prepare(c, msisdns);
            foreach (var (m, i) in msisdns.Select((m, i) => (m, i)))
            {
                TopUp(scratch.Db, m, 5.00m + i, start - Duration.FromHours(1), $"PAY-{m}");
            }

            // Half the rows first: some wallets are part-debited when the rest arrives.
            RatingData.InsertUsage(c, usage[..600]);
        }

        new RateUsageJob(_single.Db, new CatalogCache()).RateAll(200);
        new RateUsageJob(_shared.Db, new CatalogCache()).RateAll(200);
        foreach (var scratch in new[] { _single, _shared })
        {
            using var c = scratch.Db.Open();
            RatingData.InsertUsage(c, usage[600..]);
        }

        new RateUsageJob(_single.Db, new CatalogCache()).RateAll(200);
        using var barrier = new Barrier(2);
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var job = new RateUsageJob(_shared.Db, new CatalogCache());
            barrier.SignalAndWait();
            return job.RateAll(200);
        })));

        Assert.Equal(600, runs.Sum(r => r.Rated - r.ReRated));
        using var one = _single.Db.Open();
        using var two = _shared.Db.Open();
        foreach (var c in new[] { one, two })
        {
            Assert.Empty(WalletStore.Check(c));
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM (SELECT usage_id FROM wallet_ledger WHERE kind = 'usage' GROUP BY usage_id HAVING count(*) > 1) d"));
            // Every charge is in a wallet or in overdraft, exactly once.
            Assert.Equal(
                c.ExecuteScalar<decimal>("SELECT sum(amount) FROM rated_charges"),
                c.ExecuteScalar<decimal>("SELECT -sum(amount) FROM wallet_ledger WHERE usage_id IS NOT NULL") + c.ExecuteScalar<decimal>("SELECT coalesce(sum(amount), 0) FROM prepaid_overdraft"));
        }

        Assert.Equal(Snapshot(one), Snapshot(two));
        Assert.NotEmpty(one.Query("SELECT 1 FROM prepaid_overdraft"));
        Assert.NotEmpty(one.Query("SELECT 1 FROM notifications WHERE kind = 'low-balance'"));
    }

    private static string Snapshot(NpgsqlConnection c) => string.Join("\n", c.Query<string>("""
        SELECT * FROM (
            SELECT 'L ' || l.account_id || ' ' || l.kind || ' ' || coalesce(u.record_key, '-') || ' ' || l.amount FROM wallet_ledger l LEFT JOIN usage u ON u.id = l.usage_id
            UNION ALL SELECT 'O ' || o.account_id || ' ' || u.record_key || ' ' || o.amount || ' ' || o.reason FROM prepaid_overdraft o JOIN usage u ON u.id = o.usage_id
            UNION ALL SELECT 'W ' || account_id || ' ' || balance || ' ' || coalesce(barred_since::text, '-') FROM wallets
            UNION ALL SELECT 'N ' || n.account_id || ' ' || n.kind || ' ' || n.subject FROM notifications n) s ORDER BY 1
        """));
}
