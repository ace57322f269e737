using System.Diagnostics;
using Billing.Catalog;
using Billing.Catalog.Native;
using Billing.Jobs.Catalog;
using Billing.Jobs.Documents;
using Billing.Jobs.Dunning;
using Billing.Notifications;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Benchmarks;

/// <summary>One timed dunning run: accounts in the database, the accounts it moved, the steps and letters it recorded.</summary>
/// <param name="DryRun">letters decided, not drawn; otherwise each letter is drawn as PDF, written and recorded.</param>
public sealed record DunningBenchPhase(string Name, bool DryRun, decimal Seconds, int Candidates, int Moved, int Steps, int Letters, decimal AccountsPerSecond, decimal LettersPerSecond);

public sealed record DunningBenchResult(int Accounts, int Overdue, decimal GenerationSeconds, IReadOnlyList<DunningBenchPhase> Phases);

/// <summary>
/// `billing bench dunning`: N postpaid accounts with one issued invoice of 36.00 each; a quarter of them
/// overdue on the run's date by 7, 14, 21, 30 or 60 days (in turn), the rest not yet due. Times the dry
/// run (evaluation only), the run that takes the steps (one transaction per account moved), and the
/// same day again (nothing new). The letters due are drawn as PDFs into <paramref name="letters"/>' folder
/// (a scratch one: the command deletes it afterwards) and recorded in <c>documents</c>, as a real run does.
/// </summary>
public static class DunningBenchmark
{
    public static readonly LocalDate AsOf = new(2027, 2, 13);

    private static readonly int[] DaysPastDue = [7, 14, 21, 30, 60];

    public static DunningBenchResult Run(BillingDatabase db, int accounts, LetterWriter letters, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(progress);
        progress($"Storing {accounts:N0} accounts, each with a subscription and an issued invoice, a quarter of them overdue …");
        var sw = Stopwatch.StartNew();
        var overdue = Generate(db, accounts);
        var generation = Seconds(sw);
        var job = new DunningJob(db, new CatalogCache(), NotificationTemplates.Shipped, new DunningOptions(), Path.Combine(Path.GetTempPath(), "billing-bench-agency"), letters, SystemClock.Instance);
        var phases = new List<DunningBenchPhase>();
        foreach (var (name, dry) in new[] { ("dry run (evaluate)", true), ("run (take the steps)", false), ("same day again", false) })
        {
            progress($"Dunning {AsOf:uuuu-MM-dd}: {name} …");
            sw.Restart();
            var report = job.Run(AsOf, dry, "bench");
            var seconds = Seconds(sw);
            var lettersTaken = report.Steps.Count(s => s.Outcome == Billing.Core.Dunning.StepOutcome.Take && s.Step.Action == Billing.Core.Dunning.DunningActionKind.Letter);
            phases.Add(new DunningBenchPhase(name, dry, seconds, report.Accounts, report.Applied.Count, report.Steps.Count(), lettersTaken,
                Rate(accounts, seconds), Rate(lettersTaken, seconds)));
        }

        return new DunningBenchResult(accounts, overdue, generation, phases);
    }

    private static decimal Seconds(Stopwatch sw) => Math.Round((decimal)sw.Elapsed.TotalSeconds, 3, MidpointRounding.AwayFromZero);

    private static decimal Rate(int count, decimal seconds) => seconds == 0m ? 0m : Math.Round(count / seconds, 0, MidpointRounding.AwayFromZero);

    private static int Generate(BillingDatabase db, int accounts)
    {
        using var conn = db.Open();
        conn.Execute("""
            TRUNCATE documents, dunning_actions, dunning_runs, dunning_pauses, dunning_holds, suspensions, notifications, account_charges, allocations, payments,
                     invoices, accounts, catalog_versions RESTART IDENTITY CASCADE
            """, commandTimeout: 0);
        var files = new Dictionary<string, string>(SyntheticCatalog.Files(50), StringComparer.Ordinal)
        {
            [NativeCatalogReader.DunningFile] = """
                segment,step,days,action,amount,cap,tax_category,template,minimum_overdue
                *,reminder,7,email,,,,dunning-reminder,5.00
                *,second-reminder,14,email,,,,dunning-second-reminder,
                *,late-fee,14,fee,5.00,,,,
                *,final-notice,21,letter,,,,dunning-final-notice,
                *,suspend,30,suspend,,,,,
                *,agency,60,agency,,,,,
                """,
        };
        CatalogStore.Save(conn, "bench-dunning", CatalogSource.Native, CatalogChecksum.Of(files), Instant.FromUtc(2026, 1, 1, 0, 0), files, new Dictionary<string, string>(), "bench");
        conn.Execute("""
            INSERT INTO accounts (id, name, currency, time_zone, payment_type, bill_cycle_day, tax_region, email)
            SELECT 'DN-' || lpad(a::text, 7, '0'), 'Bench ' || a, 'GBP', 'Europe/London', 'postpaid', 1, 'UK', 'bench' || a || '@example.com' FROM generate_series(1, @n) a;
            INSERT INTO subscriptions (account_id, msisdn, plan_id, active_from)
            SELECT 'DN-' || lpad(a::text, 7, '0'), '4478' || lpad(a::text, 8, '0'), @plan, '2026-01-01T00:00:00Z' FROM generate_series(1, @n) a;
            INSERT INTO invoices (account_id, cycle_start, cycle_end, status, number, currency, issue_date, due_date, subtotal, tax, total,
                                  previous_balance, payments_and_credits, amount_due, fingerprint, issued_at)
            SELECT 'DN-' || lpad(a::text, 7, '0'), '2026-12-01', '2027-01-01', 'issued', 'BN-' || lpad(a::text, 7, '0'), 'GBP', due - 14, due,
                   30, 6, 36, 0, 0, 36, 'bench', now()
            FROM generate_series(1, @n) a
            CROSS JOIN LATERAL (SELECT CASE WHEN a % 4 = 0 THEN @asOf - (@days)[1 + (a / 4) % 5] ELSE @asOf + 5 END AS due) d;
            """, new { n = accounts, plan = SyntheticCatalog.PlanId, asOf = AsOf, days = DaysPastDue }, commandTimeout: 0);
        conn.Execute("VACUUM ANALYZE accounts, subscriptions, invoices", commandTimeout: 0);
        return accounts / 4;
    }
}
