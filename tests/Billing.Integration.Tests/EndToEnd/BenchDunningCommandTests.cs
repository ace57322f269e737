using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing bench dunning` on a small data set: what it prints and what it leaves behind, never how fast it is.</summary>
public sealed class BenchDunningCommandTests : IDisposable
{
    private readonly ScratchDatabase _db = new();
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _db.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void Bench_dunning_on_40_accounts_moves_the_10_overdue_ones_once_with_38_steps_and_2_letters()
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "dunning", "--accounts", "40", "--db", _db.Db.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        // Ten overdue, two each at 7, 14, 21, 30 and 60 days: 2 × (1 + 3 + 4 + 5 + 6) steps recorded, taken or skipped; the letter taken at 21 days.
        Assert.Matches(@"bench dunning: 40 accounts, 10 overdue \(7, 14, 21, 30, 60 days in turn\) on 2027-02-13", stdout);
        Assert.Matches(@"dry run \(evaluate\) +[\d.]+ s = +[\d,]+ accounts/s; 10 overdue evaluated, 10 moved, 38 steps, 2 letters due \(not drawn\)", stdout);
        Assert.Matches(@"run \(take the steps\) +[\d.]+ s = +[\d,]+ accounts/s; 10 overdue evaluated, 10 moved, 38 steps, 2 letters drawn as PDF and stored", stdout);
        Assert.Matches(@"same day again +[\d.]+ s = +[\d,]+ accounts/s; 10 overdue evaluated, 0 moved, 0 steps, 0 letters drawn as PDF and stored", stdout);
        using var c = _db.Db.Open();
        Assert.Equal(2, c.ExecuteScalar<long>("SELECT count(*) FROM documents WHERE kind = 'letter'"));
        // Suspended: the two at 30 days; the two at 60 days skip the suspension (only the highest step, the agency, is taken).
        Assert.Equal((38L, 2L, 2L), c.QuerySingle<(long, long, long)>("""
            SELECT count(*), count(*) FILTER (WHERE action = 'letter' AND outcome = 'taken'), (SELECT count(*) FROM suspensions) FROM dunning_actions
            """));
    }
}
