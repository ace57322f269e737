using System.Globalization;
using System.Text.Json;
using Billing.Catalog;
using Billing.Core.Accounts;
using Billing.Core.Cycles;
using Billing.Core.Rating;
using Billing.Core.Usage;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Rating;

/// <summary>
/// The bulk rating job against a real database and templates/catalog. Expected amounts are worked
/// out by hand from the template's rates (see the comments) and the Rater's documented semantics.
/// Each test has a database of its own: rating is global to a database.
/// </summary>
public sealed class RateUsageJobTests : IDisposable
{
    private const string Postpaid = "uk_postpaid_300";
    private const string Prepaid = "uk_prepaid";
    private const long Minutes = 18_000;          // uk_minutes: 300min
    private const long FiveGb = 5_368_709_120;    // data_5gb: 5GB
    private static readonly Instant CatalogFrom = Instant.FromUtc(2026, 1, 1, 0, 0);
    private static readonly Instant SubscribedFrom = Instant.FromUtc(2026, 1, 1, 0, 0);

    private readonly List<IDisposable> _cleanup = [];

    public void Dispose()
    {
        foreach (var d in _cleanup)
        {
            d.Dispose();
        }
    }

    private BillingDatabase NewDatabase(bool withCatalog = true)
    {
        var scratch = new ScratchDatabase();
        _cleanup.Add(scratch);
        if (withCatalog)
        {
            using var c = scratch.Db.Open();
            RatingData.SaveTemplateCatalog(c, CatalogFrom);
        }

        return scratch.Db;
    }

    private static Instant Utc(int month, int day, int hour, int minute = 0, int second = 0) => Instant.FromUtc(2026, month, day, hour, minute, second);

    private static (long Rated, long Held, long ReRated) Counts(RatingRunResult r) => (r.Rated, r.Held, r.ReRated);

    [Fact]
    public void A_range_is_read_for_candidates_only_while_a_record_in_it_has_no_charge_rated_or_held_alike()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900001";
        RatingData.AddSubscriber(c, "T1", msisdn, Postpaid, SubscribedFrom);
        var rated = RatingData.InsertUsage(c, [
            UsageSpec.Sms("r-1", msisdn, "447700900456", Utc(10, 5, 9)),
            UsageSpec.Sms("r-2", msisdn, "447700900456", Utc(10, 5, 10)),
        ]);
        bool Any(long from, long to)
        {
            using var tx = c.BeginTransaction();
            return Billing.Storage.Rating.UsageToRateStore.AnyWithoutCharge(tx, from, to);
        }

        Assert.True(Any(rated.Min(), rated.Max() + 1));
        var job = new RateUsageJob(db, new CatalogCache());
        Assert.Equal((2L, 0L, 0L), Counts(job.Run()));
        Assert.False(Any(rated.Min(), rated.Max() + 1));

        // A number nobody has: held, still without a charge — its range is read again on every run, as before.
        var held = RatingData.InsertUsage(c, [UsageSpec.Sms("h-1", "447700900999", "447700900456", Utc(10, 5, 11))]).Single();
        Assert.Equal((0L, 1L, 0L), Counts(job.Run()));
        Assert.True(Any(rated.Min(), held + 1));
        Assert.False(Any(rated.Min(), held));

        // Rated once the number is known: the range has nothing left.
        RatingData.AddSubscriber(c, "T2", "447700900999", Postpaid, SubscribedFrom);
        Assert.Equal((1L, 0L, 0L), Counts(job.Run()));
        Assert.False(Any(rated.Min(), held + 1));
    }

    [Fact]
    public void A_partition_swept_to_the_end_by_a_run_begun_after_this_one_is_not_read_again_any_other_sweep_is()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900011";
        RatingData.AddSubscriber(c, "T11", msisdn, Postpaid, SubscribedFrom);
        RatingData.InsertUsage(c, [
            UsageSpec.Sms("w-1", msisdn, "447700900456", Utc(10, 5, 9)),
            UsageSpec.Sms("w-2", msisdn, "447700900456", Utc(10, 5, 10)),
        ]);
        var max = Billing.Storage.Rating.UsageToRateStore.UsageIdRange(c).Max; // what a run reads up to
        // Every partition's last sweep: began `offset` from now, over ids [0, through] (a run of ranges of 100 reads from 0).
        void Swept(string offset, long through, SuspendedUsage mode = SuspendedUsage.Rate) => c.Execute("""
            INSERT INTO rating_sweeps (partition, from_id, through_id, suspended_usage, started_at, finished_at)
            SELECT p, 0, @through, @mode, now() + @offset::interval, now() + @offset::interval FROM generate_series(0, 3) AS p
            ON CONFLICT (partition) DO UPDATE SET through_id = EXCLUDED.through_id, suspended_usage = EXCLUDED.suspended_usage,
                started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at
            """, new { offset, through, mode = mode.ToString() });
        RatingRunResult Run() => new RateUsageJob(db, new CatalogCache()).RateAll(100);

        // Swept by a run that began after this one (as if it had taken the partitions first and finished): nothing read.
        Swept("1 hour", max);
        var skipped = Run();
        Assert.Equal((0L, 0L, 0L, 4L), (skipped.Rated, skipped.Held, skipped.ReRated, skipped.PartitionsSkipped));
        Assert.Empty(RatingData.Charges(c));

        // Not up to this run's last id: read, and rated.
        Swept("1 hour", max - 1);
        var rated = Run();
        Assert.Equal((2L, 0L, 0L, 0L), (rated.Rated, rated.Held, rated.ReRated, rated.PartitionsSkipped));

        // Begun before this run (a cause of a hold may have gone since), or holding suspended usage where this run rates it: read.
        Swept("-1 hour", max);
        Assert.Equal(0L, Run().PartitionsSkipped);
        Swept("1 hour", max, SuspendedUsage.Hold);
        Assert.Equal(0L, Run().PartitionsSkipped);

        // Each run records its sweeps: every partition over [0, max], begun before it finished.
        var marks = c.Query<(int Partition, long From, long Through, string Mode, bool InOrder)>(
            "SELECT partition, from_id, through_id, suspended_usage, started_at <= finished_at AND finished_at <= now() FROM rating_sweeps ORDER BY partition").AsList();
        Assert.Equal([0, 1, 2, 3], marks.Select(m => m.Partition));
        Assert.All(marks, m => Assert.Equal((0L, max, "Rate", true), (m.From, m.Through, m.Mode, m.InOrder)));
    }

    [Fact]
    public void Runs_given_consecutive_starts_claim_every_partition_once_beginning_a_whole_round_apart()
    {
        for (var start = -3; start < 8; start++)
        {
            var rounds = Billing.Storage.Rating.RatingPartitions.Rounds(start);
            var next = Billing.Storage.Rating.RatingPartitions.Rounds(start + 1);
            Assert.Equal([0, 1, 2, 3], rounds.SelectMany(r => r).Order());
            Assert.All(rounds, r => Assert.Equal(Billing.Storage.Rating.RatingPartitions.PerRound, r.Length));
            Assert.Empty(rounds[0].Intersect(next[0]));
        }

        Assert.Equal([[0, 1], [2, 3]], Billing.Storage.Rating.RatingPartitions.Rounds(0));
        Assert.Equal([[2, 3], [0, 1]], Billing.Storage.Rating.RatingPartitions.Rounds(int.MaxValue));
    }

    [Fact]
    public void RateAll_StoresOneChargePerUsage_WithAccountPlanVersionCycleAndAllowance_AndARerunRatesNothing()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900001";
        RatingData.AddSubscriber(c, "T1", msisdn, Postpaid, SubscribedFrom, billCycleDay: 5);
        var version = c.ExecuteScalar<int>("SELECT id FROM catalog_versions");
        RatingData.InsertUsage(c, [
            // 4 Oct 22:30 UTC = Sun 23:30 BST: the cycle from 5 Sep. Weekend → mobile_offpeak 60/60: 95 s bills 120 s, all allowance.
            UsageSpec.Voice("t1-a", msisdn, "447700900123", Utc(10, 4, 22, 30), 95),
            // 4 Oct 23:30 UTC = Mon 5 Oct 00:30 BST: the cycle from 5 Oct in the account's zone (by the UTC date it
            // would still be 5 Sep's). offpeak_morning → mobile_offpeak: 120 s of a fresh allowance.
            UsageSpec.Voice("t1-b", msisdn, "447700900123", Utc(10, 4, 23, 30), 95),
            // SMS to a mobile: sms_standard 0.10, no SMS allowance.
            UsageSpec.Sms("t1-c", msisdn, "447700900456", Utc(10, 5, 9)),
            // Europe (no allowance): intl_europe 0.30 for the first 60 s + 1 s at 0.30/60 = 0.005, connect 0.10 → 0.405.
            UsageSpec.Voice("t1-d", msisdn, "33123456789", Utc(10, 5, 10), 61),
            // Data: ⌈1,500,000 / 1024⌉ = 1465 KB = 1,500,160 bytes of data_5gb.
            UsageSpec.Data("t1-e", msisdn, Utc(10, 5, 11), 1_500_000),
        ]);

        var job = new RateUsageJob(db, new CatalogCache());
        var first = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((5L, 0L, 0L), Counts(first));
        var sub = RatingData.SubscriptionId(c, msisdn, Utc(10, 5, 0));
        var sep5 = new LocalDate(2026, 9, 5);
        var oct5 = new LocalDate(2026, 10, 5);
        var expected = new[]
        {
            new StoredCharge { RecordKey = "t1-a", CycleStart = sep5, Amount = 0m, DestinationGroup = "uk_mobile", BilledQuantity = 120, AllowanceId = "uk_minutes", AllowanceUsed = 120 },
            new StoredCharge { RecordKey = "t1-b", CycleStart = oct5, Amount = 0m, DestinationGroup = "uk_mobile", BilledQuantity = 120, AllowanceId = "uk_minutes", AllowanceUsed = 120 },
            new StoredCharge { RecordKey = "t1-c", CycleStart = oct5, Amount = 0.10m, DestinationGroup = "uk_mobile", BilledQuantity = 1 },
            new StoredCharge { RecordKey = "t1-d", CycleStart = oct5, Amount = 0.405m, DestinationGroup = "europe", BilledQuantity = 61 },
            new StoredCharge { RecordKey = "t1-e", CycleStart = oct5, Amount = 0m, DestinationGroup = null, BilledQuantity = 1_500_160, AllowanceId = "data_5gb", AllowanceUsed = 1_500_160 },
        }.Select(x => x with { SubscriptionId = sub, AccountId = "T1", PlanId = Postpaid, CatalogVersion = version }).ToList();
        var charges = RatingData.Charges(c);
        Assert.Equal(expected, charges.Select(x => x with { UsageId = 0 }));
        Assert.Equal(
            new Dictionary<(long, string, LocalDate), (long, long)>
            {
                [(sub, "uk_minutes", sep5)] = (Minutes, 120),
                [(sub, "data_5gb", sep5)] = (FiveGb, 0),
                [(sub, "uk_minutes", oct5)] = (Minutes, 120),
                [(sub, "data_5gb", oct5)] = (FiveGb, 1_500_160),
            },
            RatingData.Balances(c));

        var again = job.RateAll(RateUsageJob.DefaultRangeSize);
        var fresh = new RateUsageJob(db, new CatalogCache()).RateAll(100);

        Assert.Equal((0L, 0L, 0L), Counts(again));
        Assert.Equal((0L, 0L, 0L), Counts(fresh));
        Assert.Equal(charges, RatingData.Charges(c));
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rating_holds"));
    }

    [Fact]
    public void Records_taken_back_from_their_charges_come_back_exactly_as_rating_read_them_from_usage_a_call_an_sms_and_a_data_session()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900003";
        RatingData.AddSubscriber(c, "T3", msisdn, Postpaid, SubscribedFrom);
        RatingData.InsertUsage(c, [
            UsageSpec.Voice("b-1", msisdn, "442079460123", Utc(11, 6, 9, 0, 1), 61),
            UsageSpec.Sms("b-2", msisdn, "447700900456", Utc(11, 6, 10)),
            UsageSpec.Data("b-3", msisdn, Utc(11, 6, 11), 5_242_881),
        ]);
        var partitions = Enumerable.Range(0, Billing.Storage.Rating.RatingPartitions.Count).ToArray();
        var latest = c.ExecuteScalar<int>("SELECT max(id) FROM catalog_versions");
        List<UsageToRate> read;
        using (var tx = c.BeginTransaction())
        {
            read = [.. Billing.Storage.Rating.UsageToRateStore.Unrated(tx, 0, long.MaxValue, latest, partitions, Billing.Storage.Rating.UsageToRateStore.Periods(c)).OrderBy(u => u.Id)];
        }

        Assert.Equal((3L, 0L, 0L), Counts(new RateUsageJob(db, new CatalogCache()).Run()));
        var sub = RatingData.SubscriptionId(c, msisdn, Utc(11, 6, 9));
        var cycle = new LocalDate(2026, 11, 5);
        var expected = read.Select(u => u with { Retaken = true, MayBeHeld = true }).ToList();
        using (var tx = c.BeginTransaction())
        {
            var notInvoiced = Billing.Storage.Rating.ChargeStore.NotInvoiced(tx, sub, cycle);
            var takenBack = Billing.Storage.Rating.ChargeStore.TakeBack(tx, sub, cycle);

            Assert.Equal(3, read.Count);
            Assert.Equal([(61L, 0L), (0L, 0L), (0L, 5_242_881L)], read.Select(u => (u.DurationSeconds, u.VolumeBytes)));
            Assert.Equal(expected, notInvoiced);
            Assert.Equal(expected, takenBack);
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rated_charges", transaction: tx));
        }
    }

    [Fact]
    public void A_number_moved_to_another_account_after_a_gap_is_rated_to_each_account_within_its_period_and_held_in_the_gap()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string moved = "447700900003";
        const string unlisted = "447700900004";
        // M-1 over [1 Mar, 1 Jun), then M-2 from 1 Sep on; the number's partition is its latest account's (M-2).
        RatingData.AddSubscriber(c, "M-1", moved, Postpaid, Instant.FromUtc(2026, 3, 1, 0, 0), Instant.FromUtc(2026, 6, 1, 0, 0));
        RatingData.AddSubscriber(c, "M-2", moved, Postpaid, Instant.FromUtc(2026, 9, 1, 0, 0));
        // A subscription whose number msisdn_partitions does not list: it falls in the partition of its own hash.
        RatingData.AddSubscriber(c, "M-3", unlisted, Postpaid, SubscribedFrom);
        c.Execute("DELETE FROM msisdn_partitions WHERE msisdn = @unlisted", new { unlisted });
        RatingData.InsertUsage(c, [
            UsageSpec.Sms("at-start", moved, "447700900456", Instant.FromUtc(2026, 3, 1, 0, 0)),
            UsageSpec.Sms("last-second", moved, "447700900456", Instant.FromUtc(2026, 5, 31, 23, 59, 59)),
            UsageSpec.Sms("at-end", moved, "447700900456", Instant.FromUtc(2026, 6, 1, 0, 0)),
            UsageSpec.Sms("in-gap", moved, "447700900456", Instant.FromUtc(2026, 7, 15, 12, 0)),
            UsageSpec.Sms("at-move", moved, "447700900456", Instant.FromUtc(2026, 9, 1, 0, 0)),
            UsageSpec.Sms("unlisted", unlisted, "447700900456", Utc(10, 5, 9)),
        ]);

        var result = new RateUsageJob(db, new CatalogCache()).RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((4L, 2L, 0L), Counts(result));
        Assert.Equal("M-1", RatingData.Charge(c, "at-start").AccountId);
        Assert.Equal("M-1", RatingData.Charge(c, "last-second").AccountId);
        Assert.Equal("M-2", RatingData.Charge(c, "at-move").AccountId);
        Assert.Equal("M-3", RatingData.Charge(c, "unlisted").AccountId);
        Assert.Equal(
            [("at-end", "unknown-subscriber"), ("in-gap", "unknown-subscriber")],
            c.Query<(string, string)>("SELECT u.record_key, h.reason FROM rating_holds h JOIN usage u ON u.id = h.usage_id ORDER BY u.id").AsList());
    }

    [Fact]
    public void Rating_the_ids_of_one_file_rates_the_other_usage_of_its_range_under_its_own_subscribers_too()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string filed = "447700900005";
        const string other = "447700900006";
        RatingData.AddSubscriber(c, "F-1", filed, Postpaid, SubscribedFrom);
        RatingData.AddSubscriber(c, "F-2", other, Postpaid, SubscribedFrom);
        var ids = RatingData.InsertUsage(c, [
            UsageSpec.Sms("filed", filed, "447700900456", Utc(10, 5, 9)),
            UsageSpec.Sms("other", other, "447700900456", Utc(10, 5, 10)),
        ]);

        // The first id alone, as after the ingest of a file that holds only it: its range holds the other record too.
        var result = new RateUsageJob(db, new CatalogCache()).RateIdRange(ids[0], ids[0], RateUsageJob.DefaultRangeSize);

        Assert.Equal((2L, 0L, 0L), Counts(result));
        Assert.Equal("F-1", RatingData.Charge(c, "filed").AccountId);
        Assert.Equal("F-2", RatingData.Charge(c, "other").AccountId);
    }

    [Fact]
    public void RateAll_HoldsUsageWithoutASubscriber_AndRatesItOnceTheSubscriberIsImported()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900002";
        var id = Assert.Single(RatingData.InsertUsage(c, [UsageSpec.Voice("t2-a", msisdn, "442079460000", Utc(11, 10, 9), 60)]));
        var job = new RateUsageJob(db, new CatalogCache());

        var first = job.RateAll(RateUsageJob.DefaultRangeSize);
        var second = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((0L, 1L, 0L), Counts(first));
        Assert.Equal(new Dictionary<string, long> { ["unknown-subscriber"] = 1 }, first.HeldByReason);
        Assert.Equal((0L, 0L, 0L), Counts(second)); // nothing changed: not tried again
        var hold = c.QuerySingle<(long UsageId, string Reason, string Detail)>("SELECT usage_id, reason, detail FROM rating_holds");
        Assert.Equal((id, "unknown-subscriber"), (hold.UsageId, hold.Reason));
        Assert.Contains(msisdn, hold.Detail, StringComparison.Ordinal);
        Assert.Equal((msisdn, Utc(11, 10, 9)), c.QuerySingle<(string, Instant)>("SELECT msisdn, start_utc FROM rating_holds"));
        Assert.Empty(RatingData.Charges(c));

        RatingData.AddSubscriber(c, "T2", msisdn, Prepaid, Utc(11, 1, 0), billCycleDay: 1, paymentType: PaymentType.Prepaid);
        var third = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((1L, 0L, 0L), Counts(third));
        var charge = RatingData.Charge(c, "t2-a");
        // pp_voice 0.20 per 60 s in 1 s increments: 60 s = 0.20.
        Assert.Equal((id, "T2", Prepaid, new LocalDate(2026, 11, 1), 0.20m, "uk_landline", 0L), (charge.UsageId, charge.AccountId, charge.PlanId, charge.CycleStart, charge.Amount, charge.DestinationGroup, charge.AllowanceUsed));
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rating_holds"));
    }

    [Fact]
    public void Usage_held_for_a_plan_the_catalogue_lacks_is_rated_once_the_accounts_import_corrects_the_subscriptions_plan_with_the_same_catalogue()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900003";
        RatingData.AddSubscriber(c, "T3", msisdn, "uk_prepay", Utc(11, 1, 0), billCycleDay: 1, paymentType: PaymentType.Prepaid); // a typo
        RatingData.InsertUsage(c, [UsageSpec.Voice("t3-a", msisdn, "442079460000", Utc(11, 10, 9), 60)]);
        var job = new RateUsageJob(db, new CatalogCache());
        var first = job.RateAll(RateUsageJob.DefaultRangeSize);
        Assert.Equal(new Dictionary<string, long> { ["unknown-plan"] = 1 }, first.HeldByReason);

        RatingData.AddSubscriber(c, "T3", msisdn, Prepaid, Utc(11, 1, 0), billCycleDay: 1, paymentType: PaymentType.Prepaid); // the same period, corrected
        var second = job.RateAll(RateUsageJob.DefaultRangeSize);
        var third = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((1L, 0L, 0L), Counts(second));
        Assert.Equal((0L, 0L, 0L), Counts(third));
        // pp_voice 0.20 per 60 s in 1 s increments: 60 s = 0.20.
        Assert.Equal((Prepaid, 0.20m), (RatingData.Charge(c, "t3-a").PlanId, RatingData.Charge(c, "t3-a").Amount));
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rating_holds"));
    }

    [Fact]
    public void RateAll_ConsumesAllowancesInEventTimeOrder_EvenWhenEventsArriveOutOfOrderAndLate()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900003";
        const string landline = "442079460001";
        RatingData.AddSubscriber(c, "T3", msisdn, Postpaid, SubscribedFrom, billCycleDay: 5);
        // Weekday daytime landline calls: uk_peak, 30 s then 6 s increments, so 7200 s bills exactly 7200 s.
        // Inserted C, A, B: each is its own range (size 1), so every range after the first is late.
        RatingData.InsertUsage(c, [
            UsageSpec.Voice("t3-c", msisdn, landline, Utc(11, 11, 9), 7200),   // Wed
            UsageSpec.Voice("t3-a", msisdn, landline, Utc(11, 9, 9), 7200),    // Mon
            UsageSpec.Voice("t3-b", msisdn, landline, Utc(11, 10, 9), 7200),   // Tue
        ]);
        var job = new RateUsageJob(db, new CatalogCache());

        var first = job.RateAll(1);

        // C alone (1), then A before C (2, C again), then B before C (3, A and C again).
        Assert.Equal((6L, 0L, 3L), Counts(first));
        var sub = RatingData.SubscriptionId(c, msisdn, Utc(11, 9, 0));
        var nov5 = new LocalDate(2026, 11, 5);
        // A and B take 14,400 s; C has 3,600 s left: 30 + 595 × 6 covered, 600 increments of 6 s at 0.01 = 6.00, connect 0.05.
        Assert.Equal(
            [("t3-a", 0m, 7200L, 7200L), ("t3-b", 0m, 7200L, 7200L), ("t3-c", 6.05m, 3600L, 7200L)],
            RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.AllowanceUsed, x.BilledQuantity)));
        Assert.Equal((Minutes, Minutes), RatingData.Balances(c)[(sub, "uk_minutes", nov5)]);

        // A late file: Saturday 7 Nov 10:00, before everything rated. uk_weekend bills per second: 3001 s.
        RatingData.InsertUsage(c, [UsageSpec.Voice("t3-late", msisdn, landline, Utc(11, 7, 10), 3001)]);
        var second = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((4L, 0L, 3L), Counts(second));
        // In event-time order: late 3001 (14,999 left), A 7200 (7,799), B 7200 (599), then C: 30 s covered (569),
        // 94 increments of 6 s covered (5 left), and the next increment crosses the end: 5 s covered, 1 s priced, with
        // the 1100 after it: 6601 s at 0.10/60 = 11.001666…, + 0.05 connect = 11.051666… → up to 4 decimals 11.0517.
        var charges = RatingData.Charges(c);
        Assert.Equal(
            [("t3-late", 0m, 3001L, 3001L), ("t3-a", 0m, 7200L, 7200L), ("t3-b", 0m, 7200L, 7200L), ("t3-c", 11.0517m, 599L, 7200L)],
            charges.Select(x => (x.RecordKey, x.Amount, x.AllowanceUsed, x.BilledQuantity)));
        Assert.All(charges, x => Assert.Equal((nov5, "uk_minutes"), (x.CycleStart, x.AllowanceId)));
        Assert.Equal((Minutes, Minutes), RatingData.Balances(c)[(sub, "uk_minutes", nov5)]);
        Assert.Equal(RatingData.UsedByCharges(c)[(sub, "uk_minutes", nov5)], RatingData.Balances(c)[(sub, "uk_minutes", nov5)].Used);
    }

    [Fact]
    public void RateAll_OrdersEventsAtTheSameInstantByUsageId_WhicheverIsRatedFirst()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900033";
        RatingData.AddSubscriber(c, "T33", msisdn, Postpaid, SubscribedFrom, billCycleDay: 5);
        var at = Utc(11, 9, 9); // Monday 09:00: peak, 3 hours of it
        // Two 3-hour calls starting in the same second (two files): event-time order is (start, usage id).
        var x = Assert.Single(RatingData.InsertUsage(c, [UsageSpec.Voice("t33-x", msisdn, "442079460001", at, 10_800)]));
        var y = Assert.Single(RatingData.InsertUsage(c, [UsageSpec.Voice("t33-y", msisdn, "447700900123", at, 10_800)]));
        Assert.True(x < y);
        var job = new RateUsageJob(db, new CatalogCache());

        // y's file is rated first (e.g. its ingest continuation ran before x's).
        var meanwhile = job.RateIdRange(y, y, 1);
        Assert.Equal((1L, 0L, 0L, 0L), (meanwhile.Rated, meanwhile.Held, meanwhile.ReRated, meanwhile.PartitionsSkipped));

        var all = job.RateAll(1);

        // x first: all 10,800 s from uk_minutes. y: 7,200 s left, so 3,600 s at mobile_peak 6 s = 0.015:
        // 600 × 0.015 = 9.00 + 0.05 connect = 9.05 (y first would give x 6.05 and y 0) — as if rated together.
        Assert.Equal((2L, 0L, 1L), Counts(all));
        Assert.Equal(
            [("t33-x", 0m, 10_800L), ("t33-y", 9.05m, 7_200L)],
            RatingData.Charges(c).Select(r => (r.RecordKey, r.Amount, r.AllowanceUsed)));
    }

    [Fact]
    public async Task RateAll_FromTwoProcessesAtOnce_RatesEveryUsageOnce_InEventTimeOrder_LikeOneProcess()
    {
        var single = NewDatabase();
        var shared = NewDatabase();
        var (subscribers, usage) = ConcurrencyData();
        foreach (var db in new[] { single, shared })
        {
            using var c = db.Open();
            foreach (var s in subscribers)
            {
                RatingData.AddSubscriber(c, s.Account, s.Msisdn, s.Plan, SubscribedFrom, timeZone: s.Zone, billCycleDay: s.CycleDay);
            }

            RatingData.InsertUsage(c, usage);
        }

        var alone = new RateUsageJob(single, new CatalogCache()).RateAll(100);
        using var start = new Barrier(2);
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var job = new RateUsageJob(shared, new CatalogCache());
            start.SignalAndWait();
            return job.RateAll(100);
        })));

        Assert.Equal(usage.Count, alone.Rated - alone.ReRated);
        Assert.Equal(usage.Count, runs.Sum(r => r.Rated - r.ReRated));
        Assert.Equal(0, alone.Held + runs.Sum(r => r.Held));
        var expected = ExpectedInEventTimeOrder(subscribers, usage);
        foreach (var db in new[] { single, shared })
        {
            using var c = db.Open();
            var charges = RatingData.Charges(c);
            Assert.Equal(usage.Count, charges.Count);
            Assert.Equal(usage.Count, charges.Select(x => x.UsageId).Distinct().Count());
            Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rating_holds"));
            var actual = charges.ToDictionary(x => x.RecordKey, x => (x.Amount, x.AllowanceId, x.AllowanceUsed));
            var wrong = expected.Where(e => actual[e.Key] != e.Value).Select(e => $"{e.Key}: expected {e.Value}, was {actual[e.Key]}").Take(5).ToList();
            Assert.True(wrong.Count == 0, string.Join("; ", wrong));
            var used = RatingData.UsedByCharges(c);
            var balances = RatingData.Balances(c);
            Assert.All(balances, b => Assert.Equal(used.GetValueOrDefault(b.Key), b.Value.Used));
            Assert.All(used, u => Assert.True(balances.ContainsKey(u.Key), $"no balance row for {u.Key}"));
        }

        using var a = single.Open();
        using var b = shared.Open();
        var total = a.ExecuteScalar<decimal>("SELECT sum(amount) FROM rated_charges");
        Assert.Equal(expected.Values.Sum(v => v.Amount), total);
        Assert.Equal(total, b.ExecuteScalar<decimal>("SELECT sum(amount) FROM rated_charges"));
        Assert.True(total > 0m);
        // The allowances did run out: some voice was priced after part of an allowance.
        Assert.Contains(expected.Values, v => v.AllowanceId is not null && v.Amount > 0m);
    }

    [Fact]
    public void RateAll_PricesEachRecordByThePlanInForceAtItsTime_WhenThePlanChangesMidCycle()
    {
        var db = NewDatabase();
        using var c = db.Open();
        const string msisdn = "447700900005";
        const string landline = "442079460005";
        var change = Utc(11, 20, 0);
        RatingData.AddSubscriber(c, "T5", msisdn, Prepaid, Utc(10, 1, 0), billCycleDay: 1, paymentType: PaymentType.Prepaid);
        RatingData.AddSubscriber(c, "T5", msisdn, Postpaid, change, billCycleDay: 1); // closes the prepaid period
        RatingData.InsertUsage(c, [
            UsageSpec.Voice("t5-a", msisdn, landline, Utc(11, 18, 9), 60),            // prepaid: pp_voice 60 s = 0.20
            UsageSpec.Sms("t5-b", msisdn, "447700900456", Utc(11, 19, 23, 59, 59)),   // prepaid: pp_sms 0.12
            UsageSpec.Sms("t5-c", msisdn, "447700900456", change),                    // postpaid from the instant: sms_standard 0.10
            UsageSpec.Voice("t5-d", msisdn, landline, Utc(11, 23, 9), 60),            // postpaid: 30 + 5 × 6 s of uk_minutes
        ]);

        var result = new RateUsageJob(db, new CatalogCache()).RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((4L, 0L, 0L), Counts(result));
        var prepaidSub = RatingData.SubscriptionId(c, msisdn, Utc(11, 18, 0));
        var postpaidSub = RatingData.SubscriptionId(c, msisdn, change);
        Assert.NotEqual(prepaidSub, postpaidSub);
        var nov1 = new LocalDate(2026, 11, 1);
        Assert.Equal(
            [
                ("t5-a", prepaidSub, Prepaid, 0.20m, (string?)null, 0L),
                ("t5-b", prepaidSub, Prepaid, 0.12m, null, 0L),
                ("t5-c", postpaidSub, Postpaid, 0.10m, null, 0L),
                ("t5-d", postpaidSub, Postpaid, 0m, "uk_minutes", 60L),
            ],
            RatingData.Charges(c).Select(x => (x.RecordKey, x.SubscriptionId, x.PlanId, x.Amount, x.AllowanceId, x.AllowanceUsed)));
        Assert.All(RatingData.Charges(c), x => Assert.Equal(("T5", nov1), (x.AccountId, x.CycleStart)));
        Assert.Equal((Minutes, 60L), RatingData.Balances(c)[(postpaidSub, "uk_minutes", nov1)]);
        Assert.DoesNotContain(RatingData.Balances(c).Keys, k => k.Sub == prepaidSub);
    }

    [Fact]
    public void RateAll_HoldsUsageWhileNoCatalogueIsInForce_AndRatesItOnceOneIs()
    {
        var db = NewDatabase(withCatalog: false);
        using var c = db.Open();
        const string msisdn = "447700900006";
        RatingData.AddSubscriber(c, "T6", msisdn, Prepaid, SubscribedFrom, billCycleDay: 1, paymentType: PaymentType.Prepaid);
        var id = Assert.Single(RatingData.InsertUsage(c, [UsageSpec.Voice("t6-a", msisdn, "442079460006", Utc(11, 10, 9), 60)]));
        var cache = new CatalogCache();
        var job = new RateUsageJob(db, cache);

        var none = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((0L, 1L, 0L), Counts(none));
        Assert.Equal(new Dictionary<string, long> { ["no-catalog"] = 1 }, none.HeldByReason);
        // Version 0 = none was in force: the hold is tried again only once a version exists.
        Assert.Equal((id, "no-catalog", (int?)0), c.QuerySingle<(long, string, int?)>("SELECT usage_id, reason, catalog_version FROM rating_holds"));

        // A version that starts after the call does not price it.
        var later = RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 12, 1, 0, 0));
        var notYet = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((0L, 1L, 0L), Counts(notYet));
        Assert.Equal(("no-catalog", (int?)later), c.QuerySingle<(string, int?)>("SELECT reason, catalog_version FROM rating_holds"));

        var inForce = RatingData.SaveTemplateCatalog(c, CatalogFrom);
        var rated = job.RateAll(RateUsageJob.DefaultRangeSize);

        Assert.Equal((1L, 0L, 0L), Counts(rated));
        var charge = RatingData.Charge(c, "t6-a");
        Assert.Equal((inForce, Prepaid, 0.20m), (charge.CatalogVersion, charge.PlanId, charge.Amount));
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rating_holds"));
    }

    [Fact]
    public void EndToEnd_TheCli_RatesIngestedUsage_AtWhatBillingPriceQuotes()
    {
        var db = NewDatabase(withCatalog: false);
        using var work = new TempDir();
        var cs = db.ConnectionString;
        var accounts = work.File("accounts.csv");
        File.WriteAllText(accounts,
            "account_id,name,billing_address,email,language,currency,time_zone,payment_type,bill_cycle_day,tax_region,segment,msisdn,plan,active_from,active_to\n" +
            "P-700,Pat Prepaid,,,,GBP,Europe/London,prepaid,1,UK,consumer,07700900700,uk_prepaid,2026-01-01,\n");
        var drop = work.File("drop");
        Drops.Put(drop, "canonical", "calls.csv", Drops.CanonicalHeader + "\n" +
            "p1,voice,07700900700,02079460001,2026-11-10T09:00:00Z,95,,\n" +
            "p2,sms,07700900700,07700900123,2026-11-10T09:05:00Z,,,\n" +
            "p3,data,07700900700,,2026-11-10T09:10:00Z,,1500000,cell-1\n" +
            "p4,voice,07700900700,0033123456789,2026-11-10T09:15:00Z,61,,\n");

        Ok(BillingProcess.Run(work.Path, "accounts", "import", accounts, "--db", cs));
        Ok(BillingProcess.Run(work.Path, "catalog", "load", RatingData.TemplateCatalog, "--effective", "2026-01-01", "--db", cs));
        Ok(BillingProcess.Run(work.Path, "ingest", "--json", "--drop", drop, "--db", cs));
        var rate = Ok(BillingProcess.Run(work.Path, "rate", "--json", "--db", cs));

        using (var doc = JsonDocument.Parse(rate))
        {
            var r = doc.RootElement;
            Assert.Equal((4L, 0L, 0L), (r.GetProperty("rated").GetInt64(), r.GetProperty("held").GetInt64(), r.GetProperty("reRated").GetInt64()));
        }

        using var c = db.Open();
        // pp_voice 95 s × 0.20/60 = 0.31666… → 0.3167; pp_sms 0.12; pp_data 1465 KB × 0.10/1MB = 0.143066… → 0.143067 (README);
        // a French number is not priced by uk_prepaid's groups → *any → intl_rest: 2 × 60 s at 1.50 = 3.00.
        var cases = new (string Key, string Service, string? Destination, string Start, string Usage, decimal Expected)[]
        {
            ("p1", "voice", "02079460001", "2026-11-10T09:00:00Z", "95", 0.3167m),
            ("p2", "sms", "07700900123", "2026-11-10T09:05:00Z", "1", 0.12m),
            ("p3", "data", null, "2026-11-10T09:10:00Z", "1500000", 0.143067m),
            ("p4", "voice", "0033123456789", "2026-11-10T09:15:00Z", "61", 3.00m),
        };
        foreach (var x in cases)
        {
            string[] args = ["price", "--catalog", RatingData.TemplateCatalog, "--plan", Prepaid, "--service", x.Service, "--start", x.Start, "--usage", x.Usage, "--json",
                .. x.Destination is null ? Array.Empty<string>() : ["--destination", x.Destination]];
            using var quote = JsonDocument.Parse(Ok(BillingProcess.Run(work.Path, args)));
            var quoted = decimal.Parse(quote.RootElement.GetProperty("cost").GetString()!, CultureInfo.InvariantCulture);
            var stored = RatingData.Charge(c, x.Key);
            Assert.Equal((x.Key, x.Expected, x.Expected), (x.Key, quoted, stored.Amount));
            Assert.Equal(quote.RootElement.GetProperty("billedQuantity").GetInt64(), stored.BilledQuantity);
            Assert.Equal(quote.RootElement.GetProperty("destinationGroup").GetString(), stored.DestinationGroup);
        }
    }

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}\n{run.Out}");
        return run.Out;
    }

    private sealed record Subscriber(string Account, string Msisdn, string Plan, string Zone, int CycleDay);

    /// <summary>
    /// 8 subscribers (6 with allowances, in three zones and several cycle days) and 3000 usage rows
    /// over two bill cycles, inserted in a scrambled order so that most ranges are late for someone.
    /// Every fifth event of a subscriber starts in the same second as the one before it: event-time
    /// order is (start, usage id), and usage ids follow the insertion order.
    /// </summary>
    private static (IReadOnlyList<Subscriber>, IReadOnlyList<UsageSpec>) ConcurrencyData()
    {
        string[] zones = ["Europe/London", "America/New_York", "Asia/Tokyo"];
        int[] days = [1, 5, 15, 28, 5, 1, 10, 20];
        var subs = Enumerable.Range(0, 8)
            .Select(i => new Subscriber($"C4-{i}", $"4477009004{i:00}", i < 6 ? Postpaid : Prepaid, zones[i % 3], days[i]))
            .ToList();
        string[] destinations = ["442079460123", "447700900123", "33123456789", "441614960000", "12025550100"];
        const int n = 3000;
        var rows = new UsageSpec[n];
        var origin = Instant.FromUtc(2026, 10, 20, 0, 0);
        for (var j = 0; j < n; j++)
        {
            var s = subs[j % subs.Count];
            var k = j / subs.Count;
            var start = origin + Duration.FromMinutes((k - (k % 5 == 4 ? 1 : 0)) * 97) + Duration.FromSeconds(j % subs.Count * 7);
            var key = $"c{j}";
            rows[j] = (j % 10) switch
            {
                < 6 => UsageSpec.Voice(key, s.Msisdn, destinations[j % 7 % destinations.Length], start, (j * 37 % 900) + 1),
                < 8 => UsageSpec.Sms(key, s.Msisdn, destinations[j % 3], start),
                _ => UsageSpec.Data(key, s.Msisdn, start, (j * 7919 % 5_000_000) + 1),
            };
        }

        // 1543 is prime to 3000: a fixed permutation, far from time order.
        return (subs, Enumerable.Range(0, n).Select(i => rows[i * 1543 % n]).ToList());
    }

    /// <summary>What strict event-time order per (subscription, cycle) gives, straight from the Rater.</summary>
    private static Dictionary<string, (decimal Amount, string? AllowanceId, long AllowanceUsed)> ExpectedInEventTimeOrder(IReadOnlyList<Subscriber> subs, IReadOnlyList<UsageSpec> usage)
    {
        var loaded = CatalogSource.LoadFolder(CatalogSource.Native, RatingData.TemplateCatalog, "expected", new Dictionary<string, string>());
        var rater = new Rater(loaded.Catalog!);
        var bySub = subs.ToDictionary(s => s.Msisdn);
        var position = usage.Select((u, i) => (u.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal); // = usage id order
        var result = new Dictionary<string, (decimal, string?, long)>(StringComparer.Ordinal);
        var groups = usage.GroupBy(u =>
        {
            var s = bySub[u.Msisdn];
            return (u.Msisdn, BillCycle.Containing(u.Start, DateTimeZoneProviders.Tzdb[s.Zone], s.CycleDay).Start);
        });
        foreach (var g in groups)
        {
            var plan = bySub[g.Key.Msisdn].Plan;
            var remaining = rater.OpeningAllowances(plan);
            foreach (var u in g.OrderBy(u => u.Start).ThenBy(u => position[u.Key]))
            {
                var service = (ServiceType)u.Service;
                var quantity = service switch { ServiceType.Voice => u.DurationS, ServiceType.Sms => 1, _ => u.VolumeBytes };
                var charge = rater.Rate(plan, new RatingRequest(service, u.Destination, u.Start, quantity), remaining).Charge
                    ?? throw new InvalidOperationException($"{u.Key} does not rate");
                result[u.Key] = (charge.Amount, charge.AllowanceId, charge.AllowanceUsed);
            }
        }

        return result;
    }
}
