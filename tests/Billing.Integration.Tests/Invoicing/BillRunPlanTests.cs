using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Rating;
using Billing.Storage.Invoicing;
using Dapper;
using NodaTime;
using NodaTime.Testing;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>How a bill run is planned: which accounts, in which batches, and what it notes of unrated usage.</summary>
public sealed class BillRunPlanTests : IDisposable
{
    private static readonly LocalDate December = new(2026, 12, 1);
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void The_plan_batches_the_accounts_whose_cycle_ended_in_id_order_leaves_out_a_zone_still_before_midnight_and_counts_unrated_usage_per_account()
    {
        using var c = _scratch.Db.Open();
        var from = Instant.FromUtc(2026, 1, 1, 0, 0);
        RatingData.SaveTemplateCatalog(c, from);
        RatingData.AddSubscriber(c, "B-4", "447700900954", "uk_postpaid_300", from, billCycleDay: 1);
        RatingData.AddSubscriber(c, "B-1", "447700900951", "uk_postpaid_300", from, billCycleDay: 1);
        RatingData.AddSubscriber(c, "B-2", "447700900952", "uk_postpaid_300", from, timeZone: "Pacific/Honolulu", billCycleDay: 1);
        RatingData.AddSubscriber(c, "B-3", "447700900953", "uk_postpaid_300", from, billCycleDay: 5);
        RatingData.InsertUsage(c, [UsageSpec.Sms("rated", "447700900951", "447700900123", Instant.FromUtc(2026, 11, 3, 10, 0))]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(1000);
        RatingData.InsertUsage(c, [
            UsageSpec.Sms("b1-late", "447700900951", "447700900123", Instant.FromUtc(2026, 11, 20, 10, 0)),
            UsageSpec.Sms("b1-before", "447700900951", "447700900123", Instant.FromUtc(2026, 10, 31, 23, 0)), // October, in London
            UsageSpec.Sms("b2", "447700900952", "447700900123", Instant.FromUtc(2026, 12, 1, 5, 0)), // still 30 November in Honolulu
        ]);
        // 06:00 UTC on 1 December: midnight has passed in London, not in Honolulu (10:00 UTC).
        var job = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions { BatchSize = 1 }, new FakeClock(Instant.FromUtc(2026, 12, 1, 6, 0)));

        var planned = job.Plan(December, null, "tests");

        Assert.Equal([(1, 1), (2, 1)], planned.Batches.Select(b => (b.BatchNo, b.Accounts)));
        Assert.Equal([["B-1"], ["B-4"]], BillRunStore.Batches(c, planned.Run.Id).Select(b => b.Accounts));
        Assert.Equal(["B-2"], planned.NotEnded);
        Assert.Equal(new Dictionary<string, long> { ["B-1"] = 1, ["B-2"] = 1 }, BillRunStore.Unrated(c, planned.Run.Id));

        job.DraftAll(planned.Run.Id);
        Assert.Contains("1 usage records of the period are not rated yet", c.ExecuteScalar<string>("SELECT warnings::text FROM invoices WHERE account_id = 'B-1'"), StringComparison.Ordinal);
        Assert.Equal(["B-1", "B-4"], c.Query<string>("SELECT account_id FROM invoices ORDER BY account_id"));
    }

    [Theory]
    [InlineData("2026-12-02T03:00:00Z", "2026-12-01")]
    [InlineData("2026-03-01T03:00:00Z", "2026-02-28")]
    [InlineData("2026-11-30T03:00:00Z", null)] // yesterday was the 29th: no cycle ends on it (cycle days are 1–28)
    [InlineData("2026-12-01T03:00:00Z", null)] // the 30th
    [InlineData("2027-01-01T03:00:00Z", null)] // the 31st
    [InlineData("2028-03-01T03:00:00Z", null)] // 29 February of a leap year
    public void The_daily_bill_run_closes_the_cycles_that_ended_yesterday_and_has_none_to_close_after_a_28th(string now, string? runDate)
    {
        var clock = new FakeClock(NodaTime.Text.InstantPattern.General.Parse(now).Value);
        var job = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), clock);

        // Nothing to enqueue: no account, or no run at all (so no job client is needed).
        new BillRunFanOut(_scratch.Db, job, new Hangfire.BackgroundJobClient(new NoStorage()), new InvoicingOptions()).Daily();

        using var c = _scratch.Db.Open();
        Assert.Equal(runDate is null ? [] : [runDate], c.Query<string>("SELECT run_date::text FROM bill_runs"));
    }

    /// <summary>
    /// `serve` was down from the 12th to the 15th of November at 02:00 UTC: the daily runs of the 11th, 12th and 13th never
    /// happened (the runs of the 9th and 10th did). Hangfire fires the missed schedule once when the server is back, and that
    /// one run plans the three missed dates as well as the 14th — each with its own run, oldest first — so no account with
    /// cycle day 11, 12 or 13 waits a month for its invoice; a second run the same day plans only the 14th again.
    /// </summary>
    [Fact]
    public void The_daily_bill_run_after_a_server_outage_also_plans_the_dates_it_missed_and_only_those()
    {
        var job = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), new FakeClock(Instant.FromUtc(2026, 11, 15, 2, 0)));
        using var c = _scratch.Db.Open();
        BillRunStore.Ensure(c, new LocalDate(2026, 11, 9), "schedule");
        BillRunStore.Ensure(c, new LocalDate(2026, 11, 10), "schedule");
        var fanOut = new BillRunFanOut(_scratch.Db, job, new Hangfire.BackgroundJobClient(new NoStorage()), new InvoicingOptions());

        fanOut.Daily();
        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13", "2026-11-14"],
            c.Query<string>("SELECT run_date::text FROM bill_runs ORDER BY id"));
        Assert.Equal(["2026-11-11", "2026-11-12", "2026-11-13", "2026-11-14"],
            c.Query<string>("SELECT run_date::text FROM bill_runs WHERE planned_at IS NOT NULL ORDER BY planned_at, id"));

        c.Execute("UPDATE bill_runs SET planned_at = NULL");
        fanOut.Daily();
        Assert.Equal(["2026-11-14"], c.Query<string>("SELECT run_date::text FROM bill_runs WHERE planned_at IS NOT NULL"));
    }

    /// <summary>Job storage the daily run must not touch when it has nothing to enqueue.</summary>
    private sealed class NoStorage : Hangfire.JobStorage
    {
        public override Hangfire.Storage.IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException("no job storage in this test");

        public override Hangfire.Storage.IStorageConnection GetConnection() => throw new InvalidOperationException("no job storage in this test");
    }

    [Fact]
    public void The_plan_counts_no_unrated_usage_when_every_record_is_rated_and_is_not_fooled_by_a_stale_hold_on_a_rated_record()
    {
        using var c = _scratch.Db.Open();
        var from = Instant.FromUtc(2026, 1, 1, 0, 0);
        RatingData.SaveTemplateCatalog(c, from);
        RatingData.AddSubscriber(c, "S-1", "447700900961", "uk_postpaid_300", from, billCycleDay: 1);
        RatingData.InsertUsage(c, [
            UsageSpec.Sms("s1-a", "447700900961", "447700900123", Instant.FromUtc(2026, 11, 3, 10, 0)),
            UsageSpec.Sms("s1-b", "447700900961", "447700900123", Instant.FromUtc(2026, 11, 4, 10, 0)),
        ]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(1000);
        var clock = new FakeClock(Instant.FromUtc(2026, 12, 1, 6, 0));

        var allRated = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), clock).Plan(December, null, "tests");

        Assert.Equal(2, c.ExecuteScalar<long>("SELECT count(*) FROM rated_charges"));
        Assert.Empty(BillRunStore.Unrated(c, allRated.Run.Id));

        // A hold left on a rated record beside a record nobody rated: by count, 3 usage = 2 charges + 1 hold; only the
        // held record without a charge may stand for an unrated one, so the plan reads exactly and finds s1-c.
        c.Execute("""
            INSERT INTO rating_holds (usage_id, reason, detail, msisdn, start_utc)
            SELECT id, 'no-tariff', 'stale', msisdn, start_utc FROM usage WHERE record_key = 's1-a'
            """);
        RatingData.InsertUsage(c, [UsageSpec.Sms("s1-c", "447700900961", "447700900123", Instant.FromUtc(2026, 11, 5, 10, 0))]);

        var replanned = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), clock).Plan(December, null, "tests");

        Assert.Equal(new Dictionary<string, long> { ["S-1"] = 1 }, BillRunStore.Unrated(c, replanned.Run.Id));
    }
}
