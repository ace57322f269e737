using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Dapper;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Dunning;

/// <summary>`billing dunning` as a real process, SIGKILLed mid-run and run again: the same as a clean run.</summary>
public sealed class DunningKillTests : IDisposable
{
    private const int Accounts = 12;
    private static readonly (string, string)[] Subscribers = [.. Enumerable.Range(1, Accounts).Select(i => ($"D-{i:00}", $"4477009010{i:00}"))];

    private readonly ReceivablesWorld _clean = new(Subscribers);
    private readonly ReceivablesWorld _killed = new(Subscribers);
    private readonly TempDir _work = new();

    public DunningKillTests()
    {
        _clean.Bill(December);
        _killed.Bill(December);
        File.WriteAllText(Path.Combine(_work.Path, "billing.json"), """{ "dunning": { "batchSize": 1 } }""");
    }

    public void Dispose()
    {
        _clean.Dispose();
        _killed.Dispose();
        _work.Dispose();
    }

    private static string[] Args(ReceivablesWorld world) => ["dunning", "--as-of", "2027-01-14", "--db", world.ConnectionString];

    private static List<string> Recorded(ReceivablesWorld world)
    {
        using var c = world.Open();
        return c.Query<string>("""
            SELECT d.account_id || ' ' || i.number || ' ' || d.step || ' ' || d.outcome || ' ' || d.as_of FROM dunning_actions d JOIN invoices i ON i.id = d.invoice_id
            UNION ALL SELECT account_id || ' ' || kind || ' ' || dedupe_key FROM notifications
            UNION ALL SELECT x.account_id || ' suspended ' || s.msisdn || ' ' || x.suspended_on FROM suspensions x JOIN subscriptions s ON s.id = x.subscription_id
            UNION ALL SELECT account_id || ' charge ' || reference || ' ' || amount FROM account_charges
            ORDER BY 1
            """).AsList();
    }

    [Fact]
    public void A_dunning_run_killed_mid_way_and_run_again_leaves_what_a_clean_run_leaves()
    {
        var ok = BillingProcess.Run(TimeSpan.FromMinutes(3), _work.Path, Args(_clean));
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Contains("Suspended: 12 account(s) (12 subscription(s))", ok.Out, StringComparison.Ordinal);

        using (var blocker = _killed.Open())
        using (var tx = blocker.BeginTransaction())
        using (var watcher = _killed.Open())
        {
            // The run applies accounts in id order, each in its own transaction; D-07's waits for the row this test holds.
            blocker.Execute("SELECT 1 FROM accounts WHERE id = 'D-07' FOR NO KEY UPDATE", transaction: tx);
            using var p = BillingProcess.Start(_work.Path, Args(_killed));
            Wait.Until(
                () => p.HasExited || watcher.ExecuteScalar<long>("""
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
                    """) > 0,
                "billing dunning to wait for D-07", TimeSpan.FromMinutes(3));
            Assert.False(p.HasExited, "billing dunning finished instead of waiting for D-07");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Equal(["D-01", "D-02", "D-03", "D-04", "D-05", "D-06"], watcher.Query<string>("SELECT DISTINCT account_id FROM dunning_actions ORDER BY 1"));
            tx.Rollback();
        }

        var resumed = BillingProcess.Run(TimeSpan.FromMinutes(3), _work.Path, Args(_killed));
        Assert.True(resumed.Exit == 0, resumed.Err);

        Assert.Contains("Suspended: 6 account(s) (6 subscription(s))", resumed.Out, StringComparison.Ordinal); // the other six were done before the kill
        var clean = Recorded(_clean);
        Assert.Equal(Accounts * (5 + 1 + 1), clean.Count); // per account: 5 steps (4 skipped), a suspension notice, a suspension
        Assert.Equal(clean, Recorded(_killed));
        using var c = _killed.Open();
        Assert.Equal([false, true], c.Query<bool>("SELECT finished_at IS NOT NULL FROM dunning_runs ORDER BY id"));
    }
}
